#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { ConfigError } from '../config/load-config.js';
import { IngestError } from '../ingest/run-ingest.js';
import { describeError } from '../observe/logger.js';
import { CampaignConflictError } from '../queue/campaign-store.js';
import { RedisUnreachableError } from '../queue/redis-connection.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerSendCommand } from './send-command.js';
import { registerStatusCommand } from './status-command.js';
import { UsageError } from './usage-error.js';
import { registerWorkerCommand } from './worker-command.js';

/** Errors whose message is already one line a user can act on. */
const EXPECTED = [UsageError, ConfigError, RedisUnreachableError, IngestError, CampaignConflictError];

const program = new Command()
  .name('herald')
  .description('Bulk SMS, MMS and WhatsApp campaigns through Twilio, on BullMQ and Redis.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerSendCommand(program);
registerWorkerCommand(program);
registerSandboxCommand(program);
registerStatusCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof UsageError) {
    console.error(`herald: ${error.message}`);
    process.exit(2);
  }
  const expected = EXPECTED.some((kind) => error instanceof kind);
  console.error(`herald: ${expected ? (error as Error).message : `unexpected error: ${describeError(error).message}`}`);
  process.exit(1);
}
