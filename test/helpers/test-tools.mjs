// Plain JavaScript: jest's global setup loads this outside its module mapper and transforms.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The programs the tests run that npm does not install, with the Debian package that provides each: a private
 * redis-server for every test file, and Prometheus with promtool for test/process/prometheus.test.ts.
 */
export const TEST_TOOLS = [
  { binary: 'redis-server', packageName: 'redis-server' },
  { binary: 'prometheus', packageName: 'prometheus' },
  { binary: 'promtool', packageName: 'prometheus' },
];

const SEARCH_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin'];

/** The path of an executable on PATH or in Debian's locations; undefined when there is none. */
export function findTool(binary) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SEARCH_DIRS];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, binary);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Installs the Debian packages of missing tools with apt-get (as root), so that `npm test` passes on a fresh
 * machine with nothing typed before it. Never throws: what is still missing is returned, each with one line a
 * person can act on, and the tests that need it fail with their own message.
 */
export function installTestTools({ tools = TEST_TOOLS, log = (line) => console.error(line) } = {}) {
  const missingPackages = () => [
    ...new Set(tools.filter((tool) => findTool(tool.binary) === undefined).map((tool) => tool.packageName)),
  ];
  const wanted = missingPackages();
  if (wanted.length === 0) return [];
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || findTool('apt-get') === undefined) {
    return wanted.map(
      (name) =>
        `herald: the tests need ${name}, which is missing, and only root can install it: apt-get install ${name}`,
    );
  }
  log(`herald: installing Debian’s ${wanted.join(' and ')} for the tests (apt-get)…`);
  const apt = (args) =>
    execFileSync('apt-get', args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  const install = () => apt(['install', '-y', '-qq', '--no-install-recommends', ...wanted]);
  try {
    try {
      install();
    } catch {
      // A fresh machine has no package lists yet.
      apt(['update', '-qq']);
      install();
    }
  } catch (error) {
    const output = `${error.stderr ?? ''}${error.stdout ?? ''}`.trim().split('\n').at(-1) ?? String(error);
    return missingPackages().map((name) => `herald: apt-get could not install ${name} for the tests: ${output}`);
  }
  return missingPackages().map(
    (name) => `herald: apt-get ran but ${name} is still missing; install it and run the tests again`,
  );
}
