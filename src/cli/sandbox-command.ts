import { writeFileSync } from 'node:fs';

import type { Command } from 'commander';

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
      const accountSid = options.accountSid ?? process.env['TWILIO_ACCOUNT_SID'];
      const authToken = options.authToken ?? process.env['TWILIO_AUTH_TOKEN'];
      if (accountSid === undefined || authToken === undefined) {
        throw new UsageError('the sandbox needs --account-sid and --auth-token (or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)');
      }
      const { startSandbox } = await import('../sandbox/index.js');
      const sandbox = await startSandbox({ accountSid, authToken, host: options.host, port: options.port, tls: options.tls === true, latencyMs: options.latencyMs });
      if (sandbox.ca !== undefined && options.caOut !== undefined) writeFileSync(options.caOut, sandbox.ca);
      process.stdout.write(`sandbox listening on ${sandbox.url} (account ${accountSid})\n`);
      const stop = () => void sandbox.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
