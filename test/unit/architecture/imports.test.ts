import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

import { describe, expect, it } from '@jest/globals';

/** Every relative import of every module under src/, as [importing file, imported path], both from the repo root. */
function importsOfSrc(): [string, string][] {
  const edges: [string, string][] = [];
  const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts'));
  for (const path of files.map((file) => join('src', file))) {
    for (const match of readFileSync(path, 'utf8').matchAll(/(?:from|import\(?)\s*'(\.{1,2}\/[^']+)'/g)) {
      edges.push([path, relative('.', normalize(join(dirname(path), match[1]!)))]);
    }
  }
  return edges;
}

/** The top folder of a path: `src/<folder>/…` → `<folder>`, anything else → its first segment. */
function folderOf(path: string): string {
  const [first, second] = path.split('/');
  return first === 'src' ? second! : first!;
}

/** The imports that break `allowed`, as `file → imported`. */
function breaking(allowed: (from: string, to: string) => boolean): string[] {
  return importsOfSrc()
    .filter(([from, to]) => !allowed(from, to))
    .map(([from, to]) => `${from} → ${to}`);
}

// The direction docs/architecture.md describes: domain and lib at the bottom, config beside them, then the Redis
// connection, the store, the stages, and the worker process put together at the top; entry points (workers/, bin/) and scripts are outside src/.
describe('imports run one way', () => {
  it('from src/ to nothing outside it: not the workers/ entry point, scripts or tests', () => {
    expect(breaking((_, to) => to.startsWith('src/'))).toEqual([]);
  });

  it('from src/domain and src/lib only to each other', () => {
    const bottom = new Set(['domain', 'lib']);
    expect(breaking((from, to) => !bottom.has(folderOf(from)) || bottom.has(folderOf(to)))).toEqual([]);
  });

  it('from src/config only to itself and src/lib', () => {
    expect(breaking((from, to) => folderOf(from) !== 'config' || ['config', 'lib'].includes(folderOf(to)))).toEqual([]);
  });

  it('from src/redis, the connection, only to config, domain and lib', () => {
    const below = ['redis', 'config', 'domain', 'lib'];
    expect(breaking((from, to) => folderOf(from) !== 'redis' || below.includes(folderOf(to)))).toEqual([]);
  });

  it('from src/store, the owner of the Redis data, only to the connection and below: to no stage', () => {
    const below = ['store', 'redis', 'config', 'domain', 'lib'];
    expect(breaking((from, to) => folderOf(from) !== 'store' || below.includes(folderOf(to)))).toEqual([]);
  });

  it('between the folders of src/ without a cycle, so that each folder sits above the ones it imports', () => {
    const edges = new Map<string, Set<string>>();
    for (const [from, to] of importsOfSrc()) {
      if (folderOf(from) === folderOf(to)) continue;
      edges.set(folderOf(from), (edges.get(folderOf(from)) ?? new Set()).add(folderOf(to)));
    }
    /** A path of imports from `start` back to itself, if there is one. */
    const cycleFrom = (start: string): string[] | undefined => {
      const seen = new Set<string>();
      const walk = (folder: string, path: string[]): string[] | undefined => {
        for (const next of edges.get(folder) ?? []) {
          if (next === start) return [...path, next];
          if (seen.has(next)) continue;
          seen.add(next);
          const found = walk(next, [...path, next]);
          if (found !== undefined) return found;
        }
        return undefined;
      };
      return walk(start, [start]);
    };
    const cycles = [...edges.keys()].flatMap((folder) => cycleFrom(folder)?.join(' → ') ?? []);
    expect(cycles).toEqual([]);
  });

  it('to src/worker only from the `herald worker` command', () => {
    expect(
      breaking(
        (from, to) => folderOf(to) !== 'worker' || folderOf(from) === 'worker' || from === 'src/cli/worker-command.ts',
      ),
    ).toEqual([]);
  });
});
