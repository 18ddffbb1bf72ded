import { z } from 'zod';

import { parseClusterNodes, type ParsedTarget, redisTargetOf } from './redis-target.js';

/** The most HERALD_ATTEMPTS may be: BullMQ's attempt ceiling per send job (store/job-options.ts) stays above it. */
export const MAX_SEND_ATTEMPTS = 99;

/** One environment variable: its schema, default and help, next to each other (the docs are generated from these). */
export interface Setting<T> {
  env: string;
  schema: z.ZodType<T>;
  help: string;
  default?: string;
  /** Never echoed: not in errors, logs or generated docs. */
  secret?: boolean;
}

function setting<T>(
  env: string,
  schema: z.ZodType<T>,
  help: string,
  extra: Omit<Setting<T>, 'env' | 'schema' | 'help'> = {},
): Setting<T> {
  return { env, schema, help, ...extra };
}

/** The zod issue of a target that does not parse: its reason, never the value (it may hold a password). */
function validTarget(parse: (text: string) => ParsedTarget) {
  return (text: string, context: z.RefinementCtx) => {
    const parsed = parse(text);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.reason });
  };
}
const redisUrl = z.string().superRefine(validTarget((redisUrl) => redisTargetOf({ redisUrl })));
const clusterNodes = z.string().superRefine(validTarget(parseClusterNodes)).optional();
const httpUrl = z
  .string()
  .refine(
    (text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol),
    'is not an http:// or https:// URL',
  );
// Twilio never sends a fragment; a query string is kept at the end of each callback URL.
const publicUrl = httpUrl.refine((text) => !text.includes('#'), 'must not have a #fragment');
const port = z.coerce
  .number()
  .int('is not a whole number')
  .min(0, 'is not a port (0–65535)')
  .max(65535, 'is not a port (0–65535)');
const positiveInt = z.coerce.number().int('is not a whole number').positive('must be at least 1');
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  error: 'is not one of fatal, error, warn, info, debug, trace, silent',
});

export const REDIS_SETTINGS = {
  redisUrl: setting(
    'REDIS_URL',
    redisUrl,
    'The Redis herald keeps its queues and campaigns in: redis://[user:password@]host:port[/db] (rediss:// for TLS); a Redis Cluster as redis+cluster://[user:password@]host:port,host:port,… (rediss+cluster:// for TLS; a few seed nodes are enough); or the master Redis Sentinel names, as redis+sentinel://[user:password@]host:port,host:port,…/<master name>[/db] (the sentinels’ addresses, port 26379 if none; the credentials are the master’s; rediss+sentinel:// for TLS to both).',
    { default: 'redis://127.0.0.1:6379', secret: true },
  ),
  clusterNodes: setting(
    'REDIS_CLUSTER_NODES',
    clusterNodes,
    'Seed nodes of a Redis Cluster, separated by commas or spaces: host:port, or redis://[user:password@]host:port (rediss:// for TLS). Set, herald uses the cluster and ignores REDIS_URL.',
    { secret: true },
  ),
  sentinelUsername: setting(
    'REDIS_SENTINEL_USERNAME',
    z.string().optional(),
    'With redis+sentinel://: the ACL user the sentinels require, if they require one (sentinel’s own, not the master’s).',
  ),
  sentinelPassword: setting(
    'REDIS_SENTINEL_PASSWORD',
    z.string().optional(),
    'With redis+sentinel://: the password the sentinels require (their requirepass, or the ACL user’s), if any; the master’s goes in REDIS_URL.',
    { secret: true },
  ),
  tlsCaFile: setting(
    'REDIS_TLS_CA_FILE',
    z.string().optional(),
    'With rediss://: PEM file of the certificate authority that signed Redis’s certificate, when it is a private one (Node’s usual authorities are trusted either way).',
  ),
  tlsCertFile: setting(
    'REDIS_TLS_CERT_FILE',
    z.string().optional(),
    'With rediss://: PEM file of herald’s client certificate, for a Redis that requires one (tls-auth-clients yes); with REDIS_TLS_KEY_FILE.',
  ),
  tlsKeyFile: setting(
    'REDIS_TLS_KEY_FILE',
    z.string().optional(),
    'With rediss://: PEM file of the private key of REDIS_TLS_CERT_FILE.',
  ),
  replicaWaitMs: setting(
    'HERALD_REPLICA_WAIT_MS',
    z.coerce.number().int('is not a whole number').min(0, 'must be 0 or more'),
    'On a Redis Cluster or behind Sentinel, how long each write to the recipient ledger waits for a replica to confirm it (WAIT) before herald goes on, so that a failover cannot undo an in-flight mark and let a message be sent twice (0: do not wait).',
    { default: '500' },
  ),
  prefix: setting(
    'HERALD_PREFIX',
    z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, _ or -'),
    'Prefix of every Redis key herald writes; lets several herald installations share one Redis.',
    { default: 'herald' },
  ),
};

export const TWILIO_SETTINGS = {
  accountSid: setting(
    'TWILIO_ACCOUNT_SID',
    z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
    'The Twilio account to send from.',
  ),
  authToken: setting(
    'TWILIO_AUTH_TOKEN',
    z.string().min(8, 'is too short to be an auth token'),
    'The account’s auth token. Never logged.',
    { secret: true },
  ),
  baseUrl: setting(
    'HERALD_TWILIO_BASE_URL',
    httpUrl.optional(),
    'Send API requests to this origin instead of https://api.twilio.com (the herald sandbox). Unset in production. Secret because it may hold user:password@; logged without it.',
    { secret: true },
  ),
  caFile: setting(
    'HERALD_TWILIO_CA_FILE',
    z.string().min(1).optional(),
    'PEM file of an extra certificate authority to trust for the API (the sandbox’s self-signed certificate).',
  ),
  timeoutMs: setting('HERALD_SEND_TIMEOUT_MS', positiveInt, 'Timeout of one API request, in milliseconds.', {
    default: '15000',
  }),
  httpTransport: setting(
    'HERALD_HTTP_TRANSPORT',
    z.enum(['direct', 'sdk']),
    'HTTP transport under the Twilio SDK: `direct` (herald’s, on Node’s http client; it writes a request only once it holds a connected socket, so a connection that fails is known not to have carried it) or `sdk` (the SDK’s own axios transport, an escape hatch: such a failure is then looked up in Twilio’s list).',
    { default: 'direct' },
  ),
};

export const WORKER_SETTINGS = {
  concurrency: setting(
    'HERALD_CONCURRENCY',
    positiveInt,
    'Most jobs a worker process holds per queue (sending, or waiting for the next slot); each queue is sized from its lane’s rate up to this, and all of a process’s queues together to what its HERALD_MAX_IN_FLIGHT sends can use.',
    { default: '200' },
  ),
  maxInFlight: setting(
    'HERALD_MAX_IN_FLIGHT',
    positiveInt,
    'Sends a worker process keeps in flight in all; also the size of its socket pool to the API. Its queues together hold at most as many jobs as these can use over the pacing horizon (HERALD_MAX_IN_FLIGHT × (HERALD_PACE_HORIZON_MS + HERALD_EXPECTED_LATENCY_MS) ÷ HERALD_EXPECTED_LATENCY_MS), at least one each.',
    { default: '200' },
  ),
  paceHorizonMs: setting(
    'HERALD_PACE_HORIZON_MS',
    positiveInt,
    'How far ahead, in ms, a worker may reserve a sender’s next slot; later sends wait without holding one.',
    { default: '1000' },
  ),
  expectedLatencyMs: setting(
    'HERALD_EXPECTED_LATENCY_MS',
    positiveInt,
    'Time a create call is expected to take, in ms; sizes how many sends each sender queue keeps in flight.',
    { default: '500' },
  ),
  attempts: setting(
    'HERALD_ATTEMPTS',
    positiveInt.max(MAX_SEND_ATTEMPTS, `must be at most ${MAX_SEND_ATTEMPTS}`),
    `Attempts per message for transient faults (HTTP 429, 5xx, refused connections) before it is failed; at most ${MAX_SEND_ATTEMPTS}.`,
    { default: '5' },
  ),
  frequencyCap: setting(
    'HERALD_FREQUENCY_CAP',
    positiveInt,
    'Most messages one recipient gets in any rolling 24 hours, across every campaign and worker; a recipient over it waits until its oldest counted message is 24 hours old, and is never dropped. A message Twilio did not process is not counted. Campaigns sent with --transactional neither wait for it nor count against it; there is no other way to turn it off.',
    { default: '3' },
  ),
  retryWindowMs: setting(
    'HERALD_RETRY_WINDOW_MS',
    positiveInt,
    'Longest a message may wait on a throttled sender (429, full queue), from its first throttle, before it is failed; such waits use no attempts.',
    { default: '3600000' },
  ),
  dailyCapHoldMs: setting(
    'HERALD_DAILY_CAP_HOLD_MS',
    positiveInt,
    'How long a sender is held after a cap Twilio counts over a rolling day (63038 daily messages, 63018 WhatsApp’s tier) when the answer has no Retry-After; the default is the full 24-hour window. Its jobs wait without using attempts and send by themselves again.',
    { default: '86400000' },
  ),
  reconcilePatienceMs: setting(
    'HERALD_RECONCILE_PATIENCE_MS',
    z.coerce.number().int('is not a whole number').min(0, 'must be 0 or more'),
    'After a send whose answer was lost (a timeout, a cut connection, a killed worker), how long herald keeps looking for the message in Twilio’s list (every 10 s) before it decides; it never resends meanwhile. Not found then: a request that was written is recorded unknown, never resent; one whose worker died before writing it is sent (no sooner than 10 s after it began), so keep this above the longest Twilio may take to list a message it received. 0: look once.',
    { default: '120000' },
  ),
  lockDurationMs: setting(
    'HERALD_LOCK_DURATION_MS',
    positiveInt,
    'How long a job stays locked to the worker process holding it without a renewal (renewed every half of this). When a process or its machine dies, its jobs go back to the queue for the others within this plus twice HERALD_STALLED_INTERVAL_MS (three times, rarely, when every other process had the queue parked and missed its marker); a send among them whose request was written ends as sent or unknown, never resent, and one whose request was not is sent after HERALD_RECONCILE_PATIENCE_MS.',
    { default: '30000' },
  ),
  stalledIntervalMs: setting(
    'HERALD_STALLED_INTERVAL_MS',
    positiveInt,
    'How often, in ms, each worker process looks for jobs whose holder died (their lock expired) and puts them back in the queue.',
    { default: '30000' },
  ),
  metricsPort: setting('HERALD_METRICS_PORT', port, 'Port of /metrics, /healthz and /readyz (0: any free port).', {
    default: '9464',
  }),
  metricsHost: setting('HERALD_METRICS_HOST', z.string().min(1), 'Address the metrics server listens on.', {
    default: '0.0.0.0',
  }),
  metricsRetentionS: setting(
    'HERALD_METRICS_RETENTION_S',
    positiveInt,
    'Seconds a finished campaign stays in /metrics before its series are dropped (bounds label cardinality).',
    { default: '3600' },
  ),
  metricsLeaseMs: setting(
    'HERALD_METRICS_LEASE_MS',
    positiveInt,
    'Time to live of the lease that makes one worker the exporter of the campaign totals kept in Redis; another worker takes over within it when the exporter stops.',
    { default: '10000' },
  ),
  retentionDays: setting(
    'HERALD_RETENTION_DAYS',
    z.coerce.number().min(0, 'must be 0 or more'),
    'Days a campaign is kept in Redis after it ended (finished, or cancelled with its last send settled); then a worker deletes it (ledger, details, receipts, counts, queues), as `herald campaigns delete` does. The opt-out list is never deleted. 0: keep every campaign.',
    { default: '30' },
  ),
  pricesFile: setting(
    'HERALD_PRICES_FILE',
    z.string().min(1).optional(),
    'Price table (JSON, the format of `herald send --dry-run --prices`) by which the worker estimates each campaign’s cost so far in herald_cost_estimate; unset, herald’s example table, whose figures are illustrative only.',
  ),
  publicUrl: setting(
    'HERALD_PUBLIC_URL',
    publicUrl.optional(),
    'Public base URL of the workers’ webhook, e.g. https://herald.example.com. Set, sends ask Twilio for delivery receipts at <url>/twilio/campaigns/<campaign>/status (a query string in the URL stays at the end) and workers serve them, and replies to <url>/twilio/replies (set it as each sender’s incoming-message webhook) are served too; unset, neither. It may hold user:password@ for a proxy that asks Twilio for basic auth: secret, and logged without it.',
    { secret: true },
  ),
  webhookPort: setting(
    'HERALD_WEBHOOK_PORT',
    port,
    'Port of the status webhook when HERALD_PUBLIC_URL is set (0: any free port). Apart from the metrics port, so only it need face the internet.',
    { default: '9465' },
  ),
  receiptFetchAfterMs: setting(
    'HERALD_RECEIPT_FETCH_AFTER_MS',
    positiveInt,
    'With HERALD_PUBLIC_URL set: how long after a send, in ms, herald asks Twilio for the message’s status if no final status callback came (callbacks lost while Redis was away, or never sent), then less often as the message ages, for up to 72 hours. One worker does it, at most 1000 messages per sweep; sweeps run every quarter of this, at most every minute.',
    { default: '600000' },
  ),
  webhookMaxConnections: setting(
    'HERALD_WEBHOOK_MAX_CONNECTIONS',
    positiveInt,
    'Most connections the status webhook keeps open at once; further ones are closed as they arrive (counted in herald_webhook_rejected_total). With each request’s body, headers and time bounded, this bounds the memory a flood can take.',
    { default: '256' },
  ),
  webhookHost: setting('HERALD_WEBHOOK_HOST', z.string().min(1), 'Address the status webhook listens on.', {
    default: '0.0.0.0',
  }),
  helpReply: setting(
    'HERALD_HELP_REPLY',
    z.string().min(1).max(1600).optional(),
    'With HERALD_PUBLIC_URL set: the text the workers answer a HELP or INFO reply with (e.g. "Acme alerts: reply STOP to stop. Help: acme.com/sms"); unset, a HELP reply is counted and answered with nothing. Twilio’s own HELP answer, if enabled on the sender, is sent as well.',
  ),
  shutdownTimeoutMs: setting(
    'HERALD_SHUTDOWN_TIMEOUT_MS',
    positiveInt,
    'On SIGTERM, how long in-flight sends may take to finish before the process exits anyway.',
    { default: '20000' },
  ),
};

export const LOG_SETTINGS = {
  logLevel: setting('LOG_LEVEL', logLevel, 'Log level of herald’s JSON logs.', { default: 'info' }),
};

export type Settings = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Settings> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };
