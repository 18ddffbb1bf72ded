#!/usr/bin/env node
// Entry point for `herald` (npm bin) and `./bin/herald.js`: runs the compiled CLI.
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('herald: not built yet; run `npm run build` (or `npm install`) in the herald checkout first');
  process.exit(1);
}
await import(main.href);
