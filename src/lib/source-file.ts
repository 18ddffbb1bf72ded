import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Compiled, this file sits in dist/src/lib/: the repository is one level further up.
const repository = existsSync(join(root, 'package.json')) ? root : join(root, '..');

/**
 * The path of a data file that ships beside herald's sources (Lua scripts, rule tables), for a module given by its
 * `import.meta.url`, whether that module runs from src/ (tests) or was compiled to dist/src/ (which holds no data).
 */
export function sourceFile(moduleUrl: string, name: string): string {
  const moduleDir = dirname(fileURLToPath(moduleUrl));
  const fromRoot = relative(repository, moduleDir).replace(/^dist[\\/]/, '');
  return join(repository, fromRoot, name);
}
