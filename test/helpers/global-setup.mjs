import { installTestTools } from './test-tools.mjs';

/**
 * Before any test file: installs the Debian packages the tests need that npm does not (redis-server, prometheus)
 * when they are missing and this runs as root. Without redis-server nothing can run; without prometheus only the
 * test that scrapes with it fails, with its own message.
 */
export default function globalSetup() {
  const problems = installTestTools();
  const fatal = problems.filter((line) => line.includes('redis-server'));
  for (const line of problems) if (!fatal.includes(line)) console.error(line);
  if (fatal.length > 0) throw new Error(fatal[0]);
}
