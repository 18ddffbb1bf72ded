#!/usr/bin/env node
// Entry point for `herald` (npm bin) and `./bin/herald.js`: runs the compiled CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('herald: not built yet; run `npm run build` (or `npm install`) in the herald checkout first');
  process.exit(1);
}

// `herald send` streams files of any size in constant memory, but V8 sizes its heap for throughput: left alone it keeps
// enough garbage to pass 200 MB of RSS on a million rows. A capped old generation keeps the producer near 140 MB (the
// live set is well under 64 MB). The young generation has 8 MB per semi-space: at 4 MB the chunks in flight outlive
// each scavenge and are promoted, and garbage collection takes a quarter of the ingest's CPU; 16 MB adds ~30 MB of RSS
// for no measurable CPU, as the flag also sizes the phone-check thread's young generation (docs/benchmarks.md, Ingest).
// V8 reads these flags only at start-up, so the command runs in a child node that has them. The child has an IPC
// channel to this process only so that it learns when this one dies, even by `kill -9` (the channel then closes), and
// stops instead of ingesting on its own (src/cli/main.ts).
const HEAP_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=160'];
const command = process.argv[2];
const hasHeapFlags = process.execArgv.some((flag) => flag.startsWith('--max-old-space-size'));

if (command === 'send' && !hasHeapFlags) {
  const child = spawn(process.execPath, [...HEAP_FLAGS, fileURLToPath(main), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  await import(main.href);
}
