import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { HERALD_BIN, type RunningProcess, spawnNode } from '../../helpers/processes.js';

// `herald sandbox` as a user runs it: the compiled CLI (npm run build first) in a child process.
const ENV = {
  TWILIO_ACCOUNT_SID: `AC${'5c4b3a29'.repeat(4)}`,
  TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
};

const running: RunningProcess[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }
});

/** Resolves with the sandbox's URL once the child says it is listening. */
async function listeningUrl(cli: RunningProcess): Promise<string> {
  const pattern = /listening on (\S+)/;
  while (!pattern.test(cli.output())) {
    if (cli.child.exitCode !== null) throw new Error(`sandbox exited: ${cli.output()}`);
    await Promise.race([once(cli.child.stdout ?? cli.child, 'data'), cli.exited]);
  }
  return pattern.exec(cli.output())?.[1] ?? '';
}

describe('herald sandbox flags', () => {
  it('refuses a bad value in one line with exit code 2', async () => {
    const cli = spawnNode([HERALD_BIN, 'sandbox', '--port', '0', '--fault-429', 'abc'], ENV);
    running.push(cli);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.output()).toBe('herald: --fault-429 must be a share from 0 to 1 (got "abc")\n');
  });

  it('starts with the flagged faults and sender MPS', async () => {
    const cli = spawnNode(
      [
        HERALD_BIN,
        'sandbox',
        '--port',
        '0',
        '--fault-503',
        '0.25',
        '--retry-after',
        '2',
        '--seed',
        '9',
        '--mps',
        '+14155550100=7',
        '--undelivered',
        '0.5',
      ],
      ENV,
    );
    running.push(cli);
    const url = await listeningUrl(cli);
    expect(await (await fetch(`${url}/sandbox/faults`)).json()).toEqual({
      rate503: 0.25,
      retryAfterSeconds: 2,
      seed: 9,
    });
    const auth = `Basic ${Buffer.from(`${ENV.TWILIO_ACCOUNT_SID}:${ENV.TWILIO_AUTH_TOKEN}`).toString('base64')}`;
    await fetch(`${url}/sandbox/faults`, { method: 'PUT', body: '{}' });
    const created = await fetch(`${url}/2010-04-01/Accounts/${ENV.TWILIO_ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+14155550199', From: '+14155550100', Body: 'hi' }),
    });
    expect(created.status).toBe(201);
    const { senders } = (await (await fetch(`${url}/sandbox/senders`)).json()) as { senders: unknown[] };
    expect(senders).toMatchObject([{ sender: '+14155550100', mps: 7, accepted: 1 }]);
  });
});
