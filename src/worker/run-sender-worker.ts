#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';
import pLimit from 'p-limit';

import { ConfigError, loadWorkerConfig } from '../config/load-config.js';
import { secretValuesOf } from '../config/secret-values.js';
import { EXAMPLE_PRICES, parsePriceTable, type PriceTable } from '../estimate/price-table.js';
import type { CampaignName } from '../domain/campaign.js';
import { HeraldError } from '../lib/herald-error.js';
import { makeRedactor, stripUserinfo } from '../observe/redact.js';
import { ExporterLease } from '../observe/exporter-lease.js';
import { RedisMemoryWatch } from '../observe/redis-memory-watch.js';
import { logSendEvents } from '../observe/log-events.js';
import { LogSummary } from '../observe/log-summary.js';
import { createLogger, describeError, routeConsoleToLog } from '../observe/logger.js';
import { createMetrics } from '../observe/metrics.js';
import { startMetricsServer } from '../observe/metrics-server.js';
import { TotalsReader } from '../observe/read-totals.js';
import { SendEvents } from '../observe/send-events.js';
import { SentUnitsRecorder } from '../observe/sent-units-recorder.js';
import { CampaignStore } from '../queue/campaign-store.js';
import { makeKeys } from '../store/keys.js';
import { Ledger } from '../store/ledger.js';
import { OptOutList } from '../compliance/opt-out-list.js';
import { CampaignGate } from '../send/campaign-gate.js';
import { connectConfiguredRedis } from '../redis/redis-connection.js';
import { GroupsInUse } from '../rate/groups-in-use.js';
import { Holds } from '../rate/holds.js';
import { RateGroupsStore } from '../rate/rate-groups-store.js';
import { readRateOverview } from '../rate/rate-overview.js';
import { RatePacer } from '../rate/rate-pacer.js';
import { reactToReceipt } from '../receipts/react-to-receipt.js';
import { checkSentinelWriteSafety } from '../redis/connect-sentinel.js';
import { RedisClock } from '../redis/redis-clock.js';
import { redisTargetKind } from '../config/redis-target.js';
import { describeMemory, isOutOfMemoryError, readRedisMemory, RedisOutOfMemoryError } from '../redis/redis-memory.js';
import { statusCallbackUrl } from '../receipts/callback-url.js';
import { startReceipts } from '../receipts/start-receipts.js';
import { CampaignWorkers } from '../send/campaign-workers.js';
import { makeComplianceDeps } from '../send/compliance-deps.js';
import { WorkerHeartbeat } from '../status/worker-heartbeat.js';
import { RetentionSweeper } from '../lifecycle/retention.js';
import { createTwilioClient } from '../send/twilio-client.js';
import { checkApiReachable } from '../send/check-api.js';

/** How long a worker trusts that the account it saw sending still is (see Holds). */
const HOLD_CACHE_MS = 250;

/** How often a worker reads whether Redis is full (INFO memory). */
const MEMORY_CHECK_MS = 2000;

/** Shortest time between two lines about the same kind of Redis error. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/** Time after the shutdown window for the last closes before the worker exits regardless. */
const STOP_GRACE_MS = 5000;

/**
 * The sending worker process, for systemd, containers and `herald worker`: serves every active campaign,
 * exports /metrics, and on SIGTERM or SIGINT lets in-flight sends finish (bounded) and exits 0.
 */
export async function runSenderWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadWorkerConfig(env);
  const prices = readWorkerPrices(config.worker.pricesFile);
  const logger = createLogger({ level: config.log.logLevel, name: 'herald-worker', secrets: secretValuesOf(env) });
  routeConsoleToLog(logger);
  // A Redis that refuses every login fails each reconnection of every connection: one line per kind of error and
  // interval says so without flooding the log.
  const redisErrors = new LogSummary(logger, {
    level: 'warn',
    message: 'redis connection error; reconnecting',
    intervalMs: ERROR_LOG_INTERVAL_MS,
  });
  const onError = (error: Error) => {
    const err = describeError(error);
    redisErrors.note(err.message, { err });
  };
  const connection = await connectConfiguredRedis(config.redis, { role: 'worker', onError });
  // herald's own commands on the send path (pacing, the ledger's and the gate's scripts, the opt-out and hold reads,
  // from every job in flight) go out auto-pipelined on a connection of their own, so that BullMQ's connection keeps
  // its defaults.
  const sendPath = await connectConfiguredRedis(config.redis, { role: 'worker', autoPipelining: true, onError });
  if (connection instanceof Redis && redisTargetKind(config.redis) === 'sentinel') {
    const warning = await checkSentinelWriteSafety(connection);
    if (warning !== undefined) logger.warn(warning);
  }
  // Redis's clock, for every decision that must agree across processes whatever this machine's clock says.
  const clock = new RedisClock(connection);
  await clock.start();
  const keys = makeKeys(config.redis.prefix);
  const store = new CampaignStore(connection, keys);
  const events = new SendEvents();
  const client = createTwilioClient({
    accountSid: config.twilio.accountSid,
    authToken: config.twilio.authToken,
    timeoutMs: config.twilio.timeoutMs,
    maxSockets: config.worker.maxInFlight,
    transport: config.twilio.httpTransport,
    ...(config.twilio.baseUrl === undefined ? {} : { baseUrl: config.twilio.baseUrl }),
    ...(config.twilio.caFile === undefined ? {} : { ca: readFileSync(config.twilio.caFile, 'utf8') }),
  });
  const inFlight = pLimit(config.worker.maxInFlight);
  const rateDeps = {
    pacer: new RatePacer(
      sendPath,
      keys,
      {
        horizonMs: config.worker.paceHorizonMs,
        expectedLatencyMs: config.worker.expectedLatencyMs,
      },
      clock,
    ),
    holds: new Holds(sendPath, keys, HOLD_CACHE_MS, clock),
    groups: new GroupsInUse(new RateGroupsStore(connection, keys)),
  };
  const { publicUrl } = config.worker;
  const workers = new CampaignWorkers({
    connection,
    keys,
    store,
    maxConcurrency: config.worker.concurrency,
    maxInFlight: config.worker.maxInFlight,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    logger,
    ...(publicUrl === undefined
      ? {}
      : { statusCallbackOf: (name: CampaignName) => statusCallbackUrl(publicUrl, name) }),
    deps: {
      ledger: new Ledger(sendPath, keys),
      client,
      events,
      inFlight,
      optOuts: new OptOutList(sendPath, keys),
      gate: new CampaignGate(sendPath, keys),
      compliance: makeComplianceDeps(sendPath, keys, config.worker.frequencyCap),
      ...rateDeps,
      attempts: config.worker.attempts,
      retryWindowMs: config.worker.retryWindowMs,
      dailyCapHoldMs: config.worker.dailyCapHoldMs,
      reconcilePatienceMs: config.worker.reconcilePatienceMs,
      clock,
    },
    onOutOfMemory: () => void memory.check(),
  });
  logSendEvents(events, logger);
  const sentUnits = new SentUnitsRecorder(connection, keys);
  sentUnits.start(events, (error) =>
    logger.warn({ err: describeError(error) }, 'could not record billed units; will write them with the next'),
  );

  // Scrapes and readiness checks read Redis through a client that fails at once when Redis is away, so that
  // /metrics and /readyz answer (without the Redis-held series, or 503) instead of hanging.
  const probe = await connectConfiguredRedis(config.redis, { role: 'probe', onError: () => undefined });
  const probeStore = new CampaignStore(probe, keys);
  const lease = new ExporterLease(probe, keys.metricsExporter, config.worker.metricsLeaseMs);
  lease.start();
  const retentionMs = config.worker.metricsRetentionS * 1000;
  const totals = new TotalsReader({
    store: probeStore,
    connection: probe,
    prefix: keys.prefix,
    finishedRetentionMs: retentionMs,
  });
  const memory = new RedisMemoryWatch({
    read: () => readRedisMemory(probe),
    intervalMs: MEMORY_CHECK_MS,
    onFull: (found) => {
      logger.error(
        { redis: describeMemory(found) },
        'Redis is out of memory: it refuses writes, so nothing is sent until memory is freed or maxmemory raised',
      );
      void workers.setTaking(false);
    },
    onRoom: (found) => {
      logger.info({ redis: describeMemory(found) }, 'Redis has memory again; sending resumes');
      void workers.setTaking(true);
    },
  });
  memory.start();
  const retention = new RetentionSweeper({
    connection,
    keys,
    store,
    retentionMs: config.worker.retentionDays * 86_400_000,
    onDeleted: (campaign, endedAgo) =>
      logger.info({ campaign, endedAgo }, 'deleted a campaign past HERALD_RETENTION_DAYS'),
  });
  // Redis away already shows in the connection's own warnings; a missed announcement adds nothing to them.
  const heartbeat = new WorkerHeartbeat(connection, keys, (error) =>
    logger.debug({ err: describeError(error) }, 'could not announce this worker'),
  );
  // Signals are handled from here on: a SIGTERM during start-up waits for it to finish, then stops as usual.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs: config.worker.shutdownTimeoutMs }, 'stopping: letting in-flight sends finish');
    // Every step below has its own deadline, but closing BullMQ with Redis gone can still wait forever: the
    // process exits regardless once the shutdown window and a little more have passed.
    setTimeout(() => {
      logger.warn({ signal }, 'stopping took too long (Redis unreachable?); exiting anyway');
      logger.flush();
      process.exit(0);
    }, config.worker.shutdownTimeoutMs + STOP_GRACE_MS).unref();
    const servers = await startUp.catch(() => undefined);
    retention.stop();
    const { timedOut } = await workers.close(config.worker.shutdownTimeoutMs);
    // After the last send settled: until then this worker was still sending. Bounded, as Redis may be away.
    await Promise.race([
      Promise.all([heartbeat.stop().catch(() => undefined), sentUnits.stop().catch(() => undefined)]),
      sleep(1000),
    ]);
    lease.stop();
    memory.stop();
    clock.stop();
    redisErrors.stop();
    // Closing BullMQ queues and servers waits for Redis and for clients; neither may hold the exit for long.
    await Promise.race([
      Promise.all([servers?.metrics.close(), servers?.receipts?.close(), totals.close()]),
      sleep(2000),
    ]);
    // QUIT waits for Redis to answer; when it cannot, the socket is simply dropped.
    await Promise.race([Promise.all([connection.quit(), sendPath.quit()]).catch(() => undefined), sleep(1000)]);
    connection.disconnect();
    sendPath.disconnect();
    probe.disconnect();
    logger.info({ timedOut }, 'stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  // /readyz says ready only once the worker serves campaigns, so an orchestrator never counts a starting one.
  let started = false;
  const startUp = (async () => {
    const metrics = await startMetricsServer({
      metrics: createMetrics({
        events,
        lease,
        totals,
        inFlight: () => inFlight.activeCount,
        queues: () => workers.queueCounts,
        retentionMs,
        redisMemory: () => memory.last,
        prices,
        rates: () => readRateOverview(probe, keys, probeStore),
      }),
      host: config.worker.metricsHost,
      port: config.worker.metricsPort,
      readiness: async () => {
        if (!started) return { ready: false, reason: 'starting' };
        if ((await probe.ping()) !== 'PONG') return { ready: false, reason: 'redis unreachable' };
        return memory.full ? { ready: false, reason: 'redis out of memory' } : { ready: true };
      },
    });
    await checkApiReachable(client).catch((error: unknown) =>
      logger.warn({ err: describeError(error) }, 'could not reach the Twilio API at start-up; sending will retry'),
    );
    // Receipts arrive for campaigns long finished, so the webhook serves whatever campaign its path names.
    const receipts =
      publicUrl === undefined
        ? undefined
        : await startReceipts({
            publicUrl,
            webhook: {
              host: config.worker.webhookHost,
              port: config.worker.webhookPort,
              maxConnections: config.worker.webhookMaxConnections,
            },
            authToken: config.twilio.authToken,
            helpReply: config.worker.helpReply,
            fetchAfterMs: config.worker.receiptFetchAfterMs,
            keys,
            sendPath,
            probe,
            client,
            // A carrier's daily cap (30027) or rate (30022) reported on a receipt holds or throttles its group.
            onRecorded: (receipt) => reactToReceipt(receipt, { store, events, ...rateDeps }, clock.now()),
            events,
            // The worker that exports the installation's totals also sweeps its receipts.
            elected: () => lease.hold(),
            logger,
          });
    const webhook = receipts?.webhook;
    await workers.start();
    await heartbeat.start();
    retention.start((error) => logger.warn({ err: describeError(error) }, 'could not delete expired campaigns'));
    started = true;
    logger.info(
      {
        metrics: metrics.url,
        webhook:
          webhook === undefined || publicUrl === undefined
            ? 'off'
            : { port: webhook.port, publicUrl: stripUserinfo(publicUrl) },
        twilio: stripUserinfo(config.twilio.baseUrl ?? 'https://api.twilio.com'),
        campaigns: workers.campaigns,
      },
      'worker started',
    );
    return { metrics, receipts };
  })();
  await startUp;
}

/** The price table the cost estimate is exported by; a file that cannot be used stops the start with one line. */
function readWorkerPrices(path: string | undefined): PriceTable {
  if (path === undefined) return EXAMPLE_PRICES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `config: HERALD_PRICES_FILE cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const parsed = parsePriceTable(text);
  if (!parsed.ok) throw new ConfigError(`config: HERALD_PRICES_FILE ${path}: ${parsed.reason}`);
  return parsed.table;
}

/** Turns start-up failures into one readable line, without a secret of the environment's in it, and exit code 1. */
export function reportStartupFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): never {
  const message =
    error instanceof HeraldError
      ? error.message
      : isOutOfMemoryError(error)
        ? new RedisOutOfMemoryError(undefined, 'the worker could not start').message
        : `unexpected error: ${describeError(error).message}`;
  // Written directly: console may be routed to the log by now, and this line is for a person.
  process.stderr.write(`herald: ${makeRedactor(secretValuesOf(env))(message)}
`);
  process.exit(1);
}
