import { writeFileSync } from 'node:fs';

import type { Command } from 'commander';

import { parseSettings } from '../config/load-config.js';
import { TWILIO_SETTINGS } from '../config/settings.js';
import { UsageError } from './usage-error.js';

interface SandboxCommandOptions {
  port: number;
  host: string;
  tls?: boolean;
  caOut?: string;
  latencyMs: number;
  accountSid?: string;
  authToken?: string;
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('Run a local server that answers Twilio’s Messages API, for demos and tests.')
    .option('--port <n>', 'port to listen on (0: any free port)', (text) => Number.parseInt(text, 10), 4010)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tls', 'serve HTTPS with a self-signed certificate made at start')
    .option('--ca-out <file>', 'with --tls: write the certificate (PEM) here, for HERALD_TWILIO_CA_FILE')
    .option('--latency-ms <n>', 'answer each API request after this delay', (text) => Number.parseInt(text, 10), 0)
    .option('--account-sid <AC…>', 'the account it accepts (default: $TWILIO_ACCOUNT_SID)')
    .option('--auth-token <token>', 'its auth token (default: $TWILIO_AUTH_TOKEN)')
    .addHelpText(
      'after',
      `
Example:
  TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… herald sandbox --port 4010
  # then run workers with HERALD_TWILIO_BASE_URL=http://127.0.0.1:4010`,
    )
    .action(async (options: SandboxCommandOptions) => {
      for (const [flag, value, max] of [
        ['--port', options.port, 65535],
        ['--latency-ms', options.latencyMs, 600_000],
      ] as const) {
        if (!Number.isInteger(value) || value < 0 || value > max)
          throw new UsageError(`${flag} must be a whole number from 0 to ${max}`);
      }
      // The same rules as the workers' settings, so a sandbox never accepts credentials a worker would refuse.
      const { accountSid, authToken } = parseSettings(
        { accountSid: TWILIO_SETTINGS.accountSid, authToken: TWILIO_SETTINGS.authToken },
        {
          TWILIO_ACCOUNT_SID: options.accountSid ?? process.env['TWILIO_ACCOUNT_SID'],
          TWILIO_AUTH_TOKEN: options.authToken ?? process.env['TWILIO_AUTH_TOKEN'],
        },
      );
      const { startSandbox } = await import('../sandbox/index.js');
      const sandbox = await startSandbox({
        accountSid,
        authToken,
        host: options.host,
        port: options.port,
        tls: options.tls === true,
        latencyMs: options.latencyMs,
      });
      if (sandbox.ca !== undefined && options.caOut !== undefined) writeFileSync(options.caOut, sandbox.ca);
      process.stdout.write(`sandbox listening on ${sandbox.url} (account ${accountSid})\n`);
      const stop = () => void sandbox.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
