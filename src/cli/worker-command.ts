import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run a sending worker: serves every active campaign until SIGTERM (configured by environment).')
    .addHelpText(
      'after',
      `
Environment: REDIS_URL (or REDIS_CLUSTER_NODES), TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, HERALD_TWILIO_BASE_URL
(sandbox only), HERALD_CONCURRENCY, HERALD_METRICS_PORT, LOG_LEVEL … (see docs/configuration.md)

Example:
  REDIS_URL=redis://127.0.0.1:6379 TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… herald worker
  REDIS_CLUSTER_NODES=10.0.0.1:6379,10.0.0.2:6379 TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… herald worker`,
    )
    .action(async () => {
      // Loaded on use: the SDK and BullMQ take most of a second to import, which --help should not pay.
      const { runSenderWorker } = await import('../worker/run-sender-worker.js');
      await runSenderWorker(process.env);
    });
}
