#!/usr/bin/env node
// Runs before `npm run demo` and `npm test` so that a fresh clone needs no command typed first:
// installs dependencies when node_modules is missing or older than the lock file, then compiles.
// With --check (before `npm test`) the type-check and the format check run beside the compile: each is one
// process that mostly uses one core, so on two cores the three take about as long as the longest of them.
// Plain JavaScript with no imports beyond Node's own, because it runs before anything is installed.
import { execFileSync, spawn } from 'node:child_process';
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
if (!process.argv.includes('--check')) {
  run(['run', '--silent', 'build']);
} else {
  const scripts = ['build', 'typecheck', 'lint'];
  const results = await Promise.all(scripts.map(runQuietly));
  for (const [index, { code, output }] of results.entries()) {
    if (code === 0) continue;
    process.stderr.write(`herald: npm run ${scripts[index]} failed:\n${output}`);
    process.exitCode = 1;
  }
}

/** `npm run --silent <script>` with its output kept, to be shown only if it fails (three at once would interleave). */
function runQuietly(script) {
  return new Promise((resolve, reject) => {
    const child = spawn(npm, ['run', '--silent', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
