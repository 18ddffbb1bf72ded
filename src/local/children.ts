import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

/** Remembers a child process started for the demo, the tests or a benchmark, until it exits. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/**
 * For an entry point (the demo, a benchmark): when it is interrupted (Ctrl-C, SIGTERM) or exits, the redis-server,
 * sandbox and workers it started are stopped too, instead of being left running.
 */
export function stopChildrenOnExit(): void {
  const stopAll = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}
