#!/usr/bin/env node
// Runs before `npm run demo` and `npm test` so that a fresh clone needs no command typed first:
// installs dependencies when node_modules is missing or older than the lock file, then compiles.
// Plain JavaScript with no imports beyond Node's own, because it runs before anything is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) => execFileSync(npm, args, { cwd: root, stdio: 'inherit' });

if (!existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs)) {
  console.error('herald: installing dependencies (npm install)…');
  // npm install rather than npm ci: against the committed lock file (complete, for every platform) it installs
  // the same packages and leaves the lock file unchanged, and it does not start from scratch after `npm install <pkg>`.
  run(['install', '--no-audit', '--no-fund']);
}
run(['run', '--silent', 'build']);
