import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { sourceFile } from '../lib/source-file.js';

/**
 * One Lua script of herald's, read from `src/store/lua/<name>-<numberOfKeys>.lua` with its includes resolved.
 * The file's name carries its key count, as bullmq's `commands/*.lua` do, so a caller cannot pass keys in ARGV.
 */
export interface LuaSource {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly source: string;
}

const LUA_DIR = sourceFile(import.meta.url, 'lua');
const INCLUDE = /^--- @include "([a-z0-9-]+)"\s*$/;

/** Reads a script by name (the file name without its key count), resolving `--- @include "<piece>"` lines. */
export function loadLua(name: string, dir: string = LUA_DIR): LuaSource {
  const file = readdirSync(dir).find((entry) => new RegExp(`^${name}-(\\d+)\\.lua$`).test(entry));
  if (file === undefined) throw new Error(`no Lua script ${name}-<keys>.lua in ${dir}`);
  const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
  return { name, numberOfKeys, source: expand(join(dir, file), join(dir, 'includes'), [], new Set()) };
}

/**
 * Inlines each included piece once per script, at its first include (a piece included twice would define its
 * functions twice), and refuses a cycle or a missing piece by naming it.
 */
function expand(path: string, includes: string, stack: string[], done: Set<string>): string {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => {
      const piece = INCLUDE.exec(line)?.[1];
      if (piece === undefined) return line;
      if (stack.includes(piece)) throw new Error(`Lua include cycle: ${[...stack, piece].join(' → ')}`);
      if (done.has(piece)) return `-- (${piece} is included above)`;
      done.add(piece);
      const file = join(includes, `${piece}.lua`);
      if (!existsSync(file)) throw new Error(`Lua include "${piece}" (in ${basename(path)}): no ${file}`);
      return expand(file, includes, [...stack, piece], done);
    })
    .join('\n');
}
