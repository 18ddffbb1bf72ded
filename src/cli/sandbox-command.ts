import { writeFileSync } from 'node:fs';

import type { Command } from 'commander';

import { parseSettings } from '../config/load-config.js';
import { TWILIO_SETTINGS } from '../config/settings.js';
import { parseSandboxFlags, type SandboxFlags } from '../sandbox/sandbox-flags.js';
import { UsageError } from './usage-error.js';

interface SandboxCommandOptions extends SandboxFlags {
  caOut?: string;
  accountSid?: string;
  authToken?: string;
}

const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('Run a local server that answers Twilio’s Messages API, for demos and tests.')
    .option('--port <n>', 'port to listen on (0: any free port)', '4010')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tls', 'serve HTTPS with a self-signed certificate made at start')
    .option('--ca-out <file>', 'with --tls: write the certificate (PEM) here, for HERALD_TWILIO_CA_FILE')
    .option('--latency-ms <n>', 'answer each API request after this delay', '0')
    .option('--account-sid <AC…>', 'the account it accepts (default: $TWILIO_ACCOUNT_SID)')
    .option('--auth-token <token>', 'its auth token (default: $TWILIO_AUTH_TOKEN)')
    .option('--fault-429 <share>', 'share (0–1) of creates answered 429 / 20429, not processed')
    .option('--fault-500 <share>', 'share of creates answered 500, not processed')
    .option('--fault-503 <share>', 'share of creates answered 503, not processed')
    .option('--fault-drop <share>', 'share of accepted creates whose connection is then cut without an answer')
    .option('--retry-after <seconds>', 'send Retry-After with injected 429s')
    .option('--daily-cap <n>', 'accepted messages per sender per UTC day; past it 429 / 63038')
    .option('--seed <n>', 'seed for faults and delivery, for repeatable runs')
    .option('--sender-queues', 'pace each sender at its MPS and refuse past its queue with 21611')
    .option('--max-queue-hours <h>', 'backlog a sender may hold (implies --sender-queues; default 4)')
    .option('--mps <sender=n>', 'MPS of one sender, repeatable (implies --sender-queues)', collect, [])
    .option('--callbacks', 'simulate delivery and post signed status callbacks to StatusCallback URLs')
    .option('--undelivered <share>', 'share of messages that end undelivered (implies --callbacks)')
    .option('--read <share>', 'share of delivered WhatsApp messages then read (implies --callbacks)')
    .option('--duplicates <share>', 'share of callbacks sent twice (implies --callbacks)')
    .option('--out-of-order <share>', 'share of messages whose final callback precedes sent (implies --callbacks)')
    .option('--sent-delay-ms <min-max>', 'carrier delay before sent (implies --callbacks; default 100-1000)')
    .option(
      '--delivered-delay-ms <min-max>',
      'delay from sent to the final status (implies --callbacks; default 500-3000)',
    )
    .addHelpText(
      'after',
      `
Example:
  TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… herald sandbox --port 4010
  # then run workers with HERALD_TWILIO_BASE_URL=http://127.0.0.1:4010

  # chaos: 5% throttled, 1% server errors, 0.5% accepted then cut off; paced senders; callbacks
  herald sandbox --fault-429 0.05 --retry-after 1 --fault-500 0.01 --fault-drop 0.005 --seed 7 \\
    --sender-queues --mps +14155550100=10 --callbacks --undelivered 0.1

Faults can be changed while it runs: curl -X PUT localhost:4010/sandbox/faults -d '{"rate429":0.2}'
Inspect: GET /sandbox/requests, /sandbox/senders, /sandbox/callbacks, /sandbox/faults (loopback only).`,
    )
    .option('--reply-url <url>', "where recipients' replies are posted, signed (the incoming-message webhook)")
    .option('--reply-share <share>', 'share (0–1) of accepted messages whose recipient replies (needs --reply-url)')
    .option('--reply-mix <kind=weight,…>', 'what they reply: stop, stop-words, start, help, text (default stop=1)')
    .option('--whatsapp-sessions', 'refuse free-form WhatsApp outside 24 h after the recipient last wrote (63016)')
    .action(async (options: SandboxCommandOptions) => {
      const flags = parseSandboxFlags(options);
      if (!flags.ok) throw new UsageError(flags.message);
      // The same rules as the workers' settings, so a sandbox never accepts credentials a worker would refuse.
      const { accountSid, authToken } = parseSettings(
        { accountSid: TWILIO_SETTINGS.accountSid, authToken: TWILIO_SETTINGS.authToken },
        {
          TWILIO_ACCOUNT_SID: options.accountSid ?? process.env['TWILIO_ACCOUNT_SID'],
          TWILIO_AUTH_TOKEN: options.authToken ?? process.env['TWILIO_AUTH_TOKEN'],
        },
      );
      const { startSandbox } = await import('../sandbox/index.js');
      const sandbox = await startSandbox({ ...flags.options, accountSid, authToken });
      if (sandbox.ca !== undefined && options.caOut !== undefined) writeFileSync(options.caOut, sandbox.ca);
      process.stdout.write(`sandbox listening on ${sandbox.url} (account ${accountSid})\n`);
      const stop = () => void sandbox.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
