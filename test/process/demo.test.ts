import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ROOT, spawnNode } from '../helpers/processes.js';
import { TEST_AUTH_TOKEN } from '../helpers/stack.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('npm run demo', () => {
  it('runs the example campaign end to end and writes the auth token nowhere', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'herald-demo-'));
    const demo = spawnNode([join(ROOT, 'dist', 'scripts', 'demo.js')], {
      HERALD_DEMO_DIR: outDir,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    });
    const exit = await demo.exited;
    const output = demo.output();
    expect({ exit, output }).toEqual({ exit: { code: 0, signal: null }, output: expect.stringContaining('Summary') });

    expect(output).toContain('queued 13, sent 11, failed 2, unknown 0, rejected at ingest 5');
    expect(output).toMatch(/failed: 1 × 21610 \(recipient opted out \(replied STOP\)\)/);
    expect(output).toMatch(/failed: 1 × 21614 \(To number is not a mobile number\)/);
    expect(output).toContain('the sandbox received 13 create requests');
    expect(output).toMatch(/herald_messages_sent_total\{campaign="demo",channel="whatsapp"\} 3/);
    expect(output).toMatch(/line 17: invalid number: 555-0199/);

    const written = filesUnder(outDir);
    expect(written.map((path) => path.slice(outDir.length))).toEqual(
      expect.arrayContaining(['/worker-1.log', '/worker-2.log', '/sandbox.log', '/demo.rejected.csv']),
    );
    expect(written.some((path) => path.includes('appendonly'))).toBe(true);
    expect(readFileSync(join(outDir, 'worker-1.log'), 'utf8')).toContain('"msg":"worker started"');
    for (const path of written)
      expect({ path, leaked: readFileSync(path).includes(TEST_AUTH_TOKEN) }).toEqual({ path, leaked: false });
    expect(output).not.toContain(TEST_AUTH_TOKEN);
  });
});
