import { setMaxListeners } from 'node:events';

import { admitMessage } from './admission.js';
import { createApp } from './app.js';
import { ArrivalLog } from './arrival-log.js';
import { type CallbackOptions, parseCallbackOptions } from './callback-settings.js';
import { nowMs } from './clock.js';
import { DailyCounts } from './daily-cap.js';
import { DeliverySimulator } from './delivery-simulator.js';
import { FaultInjector } from './fault-injection.js';
import type { FaultSettings } from './fault-settings.js';
import { MessageStore } from './message-store.js';
import type { MessageFacts } from './message-resource.js';
import { makeFormPoster } from './post-form.js';
import { type ReplyInput, type ReplyRecord, Recipients } from './recipients.js';
import { parseRecipientOptions, type RecipientOptions } from './reply-settings.js';
import { RequestLog, type SandboxRequest } from './request-log.js';
import { makeSenderQueueRules, type SenderQueueOptions, SenderQueues } from './sender-queues.js';
import { buildSenderReports, type SenderReport } from './sender-report.js';
import { listen } from './server.js';
import type { CallbackRecord } from './status-callback.js';
import { generateLoopbackCertificate, type TlsMaterial } from './tls.js';

export type { CallbackOptions, DelayRange, UndeliveredCode } from './callback-settings.js';
export type { FaultKind, FaultSettings } from './fault-settings.js';
export type { SandboxRequest } from './request-log.js';
export type { SenderQueueOptions } from './sender-queues.js';
export type { SenderReport } from './sender-report.js';
export type { ReplyInput, ReplyRecord } from './recipients.js';
export type { RecipientOptions, ReplyKind } from './reply-settings.js';
export type { CallbackRecord } from './status-callback.js';

export interface SandboxOptions {
  /** Interface to bind. @defaultValue '127.0.0.1' (loopback only) */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** The one account the sandbox accepts, `AC` + 32 hex. */
  accountSid: string;
  /** HTTP Basic password for that account. Never logged, echoed or recorded. */
  authToken: string;
  /** Serve HTTPS with a self-signed certificate made at start for 127.0.0.1 and localhost. @defaultValue false */
  tls?: boolean;
  /** Answer every Twilio API request after this delay (inspection endpoints are not delayed). @defaultValue 0 */
  latencyMs?: number;
  /** Injected failures; can be changed later with setFaults or `PUT /sandbox/faults`. @defaultValue none */
  faults?: FaultSettings;
  /**
   * Pace each sender at its MPS and refuse (21611) creates past its queue. Absent: every create is sent at
   * once and never refused, though `GET /sandbox/senders` still shows the modelled backlog. @defaultValue off
   */
  senderQueues?: SenderQueueOptions;
  /** Simulate delivery: statuses move on and StatusCallback URLs get signed callbacks. @defaultValue off */
  callbacks?: CallbackOptions;
  /**
   * Play the recipients: replies to the incoming-message webhook, opt-outs honoured per sender as Twilio does
   * (21610 after a keyword STOP), and optionally WhatsApp's 24-hour session (63016). Opt-outs hold even without
   * this option, for replies made with reply(). @defaultValue nobody replies on their own
   */
  recipients?: RecipientOptions;
}

export interface Sandbox {
  /** e.g. `http://127.0.0.1:43123` (`https:` when tls). */
  url: string;
  port: number;
  /** PEM of the self-signed certificate when tls, to pass as `ca` to createTwilioClient. */
  ca?: string;
  /** Every create request received so far, oldest first (a copy). */
  requests(): readonly SandboxRequest[];
  /** Replaces the fault settings (absent fields are off); throws a RangeError on a bad value. */
  setFaults(faults: FaultSettings): void;
  /** Per sender: MPS, accepted count, modelled backlog and arrival times. */
  senders(): SenderReport[];
  /** Status callbacks sent so far, oldest first (a copy); empty when callbacks are off. */
  callbacks(): readonly CallbackRecord[];
  /** Resolves once no status callback is waiting or in flight. */
  callbacksSettled(): Promise<void>;
  /** A recipient writes to a sender now: it takes effect (STOP, START, WhatsApp session) and is posted if a replyUrl is set. */
  reply(input: ReplyInput): Promise<ReplyRecord>;
  /** Replies so far, oldest first (a copy). */
  replies(): readonly ReplyRecord[];
  /** Resolves once no planned reply is waiting or in flight. */
  repliesSettled(): Promise<void>;
  /** Forget requests, messages, sender counts, callback records, pending callbacks, replies and opt-outs. */
  reset(): void;
  /** Stops serving and cancels pending callbacks. */
  close(): Promise<void>;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
// Twilio's default read timeout for webhooks (webhooks-connection-overrides).
const CALLBACK_TIMEOUT_MS = 15_000;

/**
 * Starts a local stand-in for Twilio's Messages API that the official SDK and Twilio's curl examples use
 * unchanged: `POST|GET /2010-04-01/Accounts/{AccountSid}/Messages.json` (create with Twilio's validation,
 * error codes and test magic numbers; list with `To`/`From`/`DateSent` filters and page tokens) and
 * `GET …/Messages/{Sid}.json`, with its media at `GET …/Messages/{Sid}/Media.json` and `…/Media/{MediaSid}.json`.
 * A message keeps `date_sent` null while queued; it is set when simulated delivery moves it on. For tests and
 * benchmarks, not part of Twilio and answered to loopback clients only: `GET|DELETE /sandbox/requests`,
 * `GET|PUT /sandbox/faults`, `GET /sandbox/senders`, `GET /sandbox/callbacks`, `GET|POST /sandbox/replies` and
 * `GET /sandbox/health` (see inspection.ts).
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  if (!ACCOUNT_SID.test(options.accountSid)) {
    throw new Error('startSandbox: accountSid must be AC followed by 32 hex digits');
  }
  if (options.authToken === '') throw new Error('startSandbox: authToken must not be empty');
  const faults = new FaultInjector(options.faults);
  const queues = new SenderQueues(makeSenderQueueRules(options.senderQueues));
  const delivery = options.callbacks === undefined ? undefined : makeDeliverySimulator(options);
  const recipients = makeRecipients(options);
  const host = options.host ?? '127.0.0.1';
  const tls: TlsMaterial | undefined = options.tls === true ? await generateLoopbackCertificate() : undefined;
  const store = new MessageStore();
  const log = new RequestLog();
  const dailyCounts = new DailyCounts();
  const arrivals = new ArrivalLog();
  const shutdown = new AbortController();
  // Every answer held back by latencyMs listens for shutdown; hundreds in flight are normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const admission = {
    accountSid: options.accountSid,
    dailyCap: () => faults.settings.dailyCap,
    dailyCounts,
    queues,
    arrivals,
    recipientRefusal: (facts: MessageFacts, at: number) => recipients.refusal(facts, at),
  };
  const senders = (now: number): SenderReport[] => buildSenderReports(queues.stats(now), arrivals.bySender());
  const callbacks = (): readonly CallbackRecord[] => delivery?.records() ?? [];
  const reset = (): void => {
    log.clear();
    store.clear();
    dailyCounts.clear();
    queues.clear();
    arrivals.clear();
    delivery?.reset();
    recipients.reset();
  };
  const app = createApp({
    accountSid: options.accountSid,
    authToken: options.authToken,
    latencyMs: options.latencyMs ?? 0,
    store,
    log,
    faults,
    admit: (facts, at) => admitMessage(facts, at, admission),
    deliver: delivery === undefined ? undefined : (facts, leavesQueueAt) => delivery.deliver(facts, leavesQueueAt),
    senders,
    callbacks,
    recipients,
    reset,
    signal: shutdown.signal,
  });
  const server = await listen(app, { host, port: options.port ?? 0, tls }).catch((error: unknown) => {
    delivery?.close();
    recipients.close();
    throw error;
  });
  let closing: Promise<void> | undefined;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    port: server.port,
    ...(tls === undefined ? {} : { ca: tls.cert }),
    requests: () => log.snapshot(),
    setFaults: (settings) => faults.set(settings),
    senders: () => senders(nowMs()),
    callbacks,
    callbacksSettled: () => delivery?.settled() ?? Promise.resolve(),
    reply: (input) => recipients.reply(input),
    replies: () => recipients.records(),
    repliesSettled: () => recipients.settled(),
    reset,
    // Idempotent, so a test may close early and still leave cleanup to its afterEach.
    close: () => {
      shutdown.abort();
      delivery?.close();
      recipients.close();
      closing ??= server.close();
      return closing;
    },
  };
}

function makeRecipients(options: SandboxOptions): Recipients {
  const parsed = parseRecipientOptions(options.recipients ?? {});
  if (!parsed.ok) throw new RangeError(parsed.reason);
  return new Recipients(parsed.settings, options.accountSid, options.authToken, makeFormPoster(CALLBACK_TIMEOUT_MS));
}

function makeDeliverySimulator(options: SandboxOptions): DeliverySimulator {
  const parsed = parseCallbackOptions(options.callbacks ?? {});
  if (!parsed.ok) throw new RangeError(parsed.reason);
  return new DeliverySimulator({
    settings: parsed.settings,
    authToken: options.authToken,
    poster: makeFormPoster(CALLBACK_TIMEOUT_MS),
  });
}
