#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { secretValuesOf } from '../config/secret-values.js';
import { HeraldError } from '../lib/herald-error.js';
import { describeError } from '../observe/logger.js';
import { makeRedactor } from '../observe/redact.js';
import { registerCampaignsCommand } from './campaigns-command.js';
import { registerControlCommands } from './control-commands.js';
import { registerOptOutsCommand } from './optouts-command.js';
import { registerReportCommand } from './report-command.js';
import { registerResendFailedCommand } from './resend-failed-command.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerSendCommand } from './send-command.js';
import { registerGroupsCommand } from './groups-command.js';
import { registerSendersCommand } from './senders-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerWorkerCommand } from './worker-command.js';

// `herald report c | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// bin/herald.js runs `herald send` in a child with an IPC channel to it: when the parent dies (even by kill -9) the
// channel closes, and this process stops rather than go on ingesting with nobody to answer to. Unreferenced, the
// channel does not keep the command alive once its work is done.
if (process.channel !== undefined) {
  process.on('disconnect', () => process.exit(1));
  process.channel.unref();
}

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
registerGroupsCommand(program);
registerOptOutsCommand(program);

/**
 * The one line a failed command ends with, without a secret of the environment's in it. Written directly: `herald
 * worker` routes console to its log.
 */
function fail(message: string, exitCode: number): never {
  process.stderr.write(`herald: ${makeRedactor(secretValuesOf(process.env))(message)}\n`);
  process.exit(exitCode);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof HeraldError) fail(error.message, error.exitCode);
  // A command whose writes Redis refused says so through its connection (campaign-connection.ts); this is the rest.
  const { isOutOfMemoryError, RedisOutOfMemoryError } = await import('../redis/redis-memory.js');
  if (isOutOfMemoryError(error)) fail(new RedisOutOfMemoryError(undefined, 'herald could not write').message, 1);
  fail(`unexpected error (a bug; please report it): ${describeError(error).message}`, 1);
}
