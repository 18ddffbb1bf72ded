import type { CampaignName } from '../domain/campaign.js';
import { LogSummary } from '../observe/log-summary.js';
import { describeError, type Logger } from '../observe/logger.js';
import type { SendEvents } from '../observe/send-events.js';
import { ReplyRecorder } from '../compliance/record-reply.js';
import { OptOutList } from '../compliance/opt-out-list.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { Keys } from '../store/keys.js';
import { Ledger } from '../store/ledger.js';
import type { TwilioClient } from '../send/twilio-client.js';
import { AwaitingReceipts } from './awaiting-receipts.js';
import type { Receipt } from './parse-callback.js';
import { ReceiptStore } from './receipt-store.js';
import { startReceiptSweeps } from './receipt-sweep.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

export interface ReceiptsOptions {
  publicUrl: string;
  webhook: { host: string; port: number; maxConnections: number };
  authToken: string;
  /** HERALD_HELP_REPLY. */
  helpReply: string | undefined;
  fetchAfterMs: number;
  keys: Keys;
  /** For the sends' waits, which go out with the send path's commands. */
  sendPath: RedisClient;
  /** For the webhook and the sweeps: fails at once while Redis is away, so neither queues work up. */
  probe: RedisClient;
  client: TwilioClient;
  events: SendEvents;
  /** Called once for each receipt recorded for the first time (a repeated callback is not); its failure is logged. */
  onRecorded?: (receipt: Receipt) => Promise<void>;
  /** Whether this process is the installation's one sweeper now (the exporter lease). */
  elected: () => Promise<boolean>;
  logger: Logger;
}

/** A recipient's number, which is the job id of its send (see job-options.ts). */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Shortest time between two lines about the same kind of failure to track or fetch receipts. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Delivery receipts and replies in a worker: the webhook, the wait each send starts for its final status, and, in the
 * elected worker, the sweeps that fetch the statuses whose callbacks never came.
 */
export async function startReceipts(
  options: ReceiptsOptions,
): Promise<{ webhook: WebhookServer; close(): Promise<void> }> {
  const { keys, events, logger } = options;
  const receipts = new ReceiptStore(options.probe, keys);
  const replies = new ReplyRecorder(options.probe, keys, new OptOutList(options.probe, keys));
  const failures = new LogSummary(logger, {
    level: 'warn',
    message: 'could not track a delivery receipt',
    intervalMs: ERROR_LOG_INTERVAL_MS,
  });
  const fail = (what: string) => (error: unknown) => {
    const err = describeError(error);
    failures.note(`${what}: ${err.message}`, { what, err });
  };

  const awaiting = new AwaitingReceipts(options.sendPath, keys);
  events.on('attempt', (attempt) => {
    if (attempt.outcome !== 'sent' || !E164.test(attempt.jobId)) return;
    const receipt = { campaign: attempt.campaign as CampaignName, to: attempt.jobId };
    void awaiting.await(receipt, Date.now() + options.fetchAfterMs).catch(fail('wait for receipt'));
  });
  events.on('receipt:fetched', (fetched) => {
    if (fetched.result === 'failed') fail('fetch status')(new Error(fetched.reason ?? 'failed'));
    else logger[fetched.result === 'recorded' ? 'info' : 'debug'](fetched, `status fetched: ${fetched.result}`);
  });

  const webhook = await startWebhookServer({
    ...options.webhook,
    publicUrl: options.publicUrl,
    authToken: options.authToken,
    record: async (receipt) => {
      const result = await receipts.record(receipt);
      if (result === 'recorded') void options.onRecorded?.(receipt).catch(fail('act on it'));
      return result;
    },
    recordReply: (reply) => replies.record(reply),
    helpReply: options.helpReply,
    events,
  });
  const ledger = new Ledger(options.probe, keys);
  const sweeps = startReceiptSweeps(
    {
      awaiting: new AwaitingReceipts(options.probe, keys),
      receipts,
      sentSid: async (campaign, to) => {
        const state = await ledger.settledState(campaign, to);
        return state?.state === 'sent' ? state.sid : undefined;
      },
      fetchMessage: async (sid) => {
        const message = await options.client.messages(sid).fetch();
        return {
          status: message.status,
          to: message.to,
          errorCode: message.errorCode,
          dateCreated: message.dateCreated,
        };
      },
      events,
      fetchAfterMs: options.fetchAfterMs,
    },
    { elected: options.elected, onError: fail('sweep') },
  );
  return {
    webhook,
    close: async () => {
      await Promise.all([sweeps.stop(), webhook.close()]);
      failures.stop();
    },
  };
}
