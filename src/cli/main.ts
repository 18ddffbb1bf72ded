#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { HeraldError } from '../lib/herald-error.js';
import { describeError } from '../observe/logger.js';
import { registerCampaignsCommand } from './campaigns-command.js';
import { registerControlCommands } from './control-commands.js';
import { registerReportCommand } from './report-command.js';
import { registerResendFailedCommand } from './resend-failed-command.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerSendCommand } from './send-command.js';
import { registerSendersCommand } from './senders-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerWorkerCommand } from './worker-command.js';

// `herald report c | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command()
  .name('herald')
  .description('Bulk SMS, MMS and WhatsApp campaigns through Twilio, on BullMQ and Redis.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerSendCommand(program);
registerWorkerCommand(program);
registerSandboxCommand(program);
registerStatusCommand(program);
registerCampaignsCommand(program);
registerControlCommands(program);
registerReportCommand(program);
registerResendFailedCommand(program);
registerSendersCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof HeraldError) {
    console.error(`herald: ${error.message}`);
    process.exit(error.exitCode);
  }
  // A command whose writes Redis refused says so through its connection (campaign-connection.ts); this is the rest.
  const { isOutOfMemoryError, RedisOutOfMemoryError } = await import('../queue/redis-memory.js');
  if (isOutOfMemoryError(error)) {
    console.error(`herald: ${new RedisOutOfMemoryError(undefined, 'herald could not write').message}`);
    process.exit(1);
  }
  console.error(`herald: unexpected error (a bug; please report it): ${describeError(error).message}`);
  process.exit(1);
}
