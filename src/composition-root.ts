// Composition root: one process of the service, in the role its configuration names: alone, or as a member of a
// process set (src/process-set/), whose primary opened the database and keeps what the set shares.
import type { Logger } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { ApiKeyAuthenticator, ApiKeyStore } from './auth/api-keys.js';
import { API_KEY_REVOKED_TOPIC, ApiAccess } from './auth/access.js';
import { AccessTokens } from './auth/tokens.js';
import { RequestLimits } from './http/rate-limit.js';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { applyMigrations, pendingMigrations } from './db/migrations.js';
import { createDatabase } from './db/prisma.js';
import { buildServer } from './http/server.js';
import { createServices } from './app/services.js';
import { DeliveryAttempter } from './delivery/sending/attempter.js';
import { createDeliveryClient } from './delivery/sending/http-client.js';
import { DestinationPolicy } from './delivery/sending/destination-policy.js';
import { AttemptRecorder } from './delivery/recording/recorder.js';
import { createBoss, DELIVERY_WAKE_TOPIC, ensureDeliveryQueue } from './delivery/queueing/queue.js';
import { HeldBackWebhooks } from './delivery/queueing/held-back.js';
import { ensureRecoveryQueue, workRecoveries } from './delivery/recovery/recovery-runner.js';
import { tableUpkeep } from './housekeeping/table-upkeep.js';
import { DeliveryWorker } from './delivery/queueing/worker.js';
import { EventJobs } from './delivery/queueing/event-jobs.js';
import { WebhookSlots } from './delivery/queueing/webhook-slots.js';
import { WebhookRateLimits } from './delivery/queueing/rate-limit.js';
import { startTracing } from './observability/tracing.js';
import { EventPublisher } from './events/publisher.js';
import { createMetrics, registerQueueGauges, scrapeOf } from './metrics/metrics.js';
import { scheduleMaintenance } from './housekeeping/schedule.js';
import { openSecretBox } from './secrets/encryption-key.js';
import { resealTokenSigningKeys, resealWebhookSecrets } from './secrets/reseal.js';
import { SubscriptionLimits, sharedProjectSlots } from './live/subscription-limits.js';
import { PgEventTarget } from './notify/pg-event-target.js';
import { batchedNotify } from './notify/batched-notify.js';
import { notifyMany } from './db/sql/notify.js';
import { appliedMigrationNames, ping } from './db/sql/database.js';
import { LiveUpdates } from './live/updates.js';
import { PullStream } from './delivery/pull/stream.js';
import { ListenerRelay } from './delivery/listening/relay.js';
import { ListenerSessions } from './delivery/listening/sessions.js';

export type RunningService = {
  /** Base URL of the HTTP server (undefined for a worker-only process). */
  httpUrl: string | undefined;
  databaseUrl: string;
  stop: () => Promise<void>;
  /** Resolves when the process cannot go on: its embedded database died and could not be restarted. */
  lost: Promise<Error>;
};

/** The service's database, ready for it: its schema migrated. */
export type OpenDatabase = {
  url: string;
  /** Stops what was started for it (an embedded cluster); nothing for DATABASE_URL's. */
  stop: () => Promise<void>;
  /** Resolves when the process cannot go on: its embedded database died and could not be restarted. */
  lost: Promise<Error>;
};

/** A database someone else started and migrated. */
const given = (url: string): OpenDatabase => ({ url, stop: async () => {}, lost: new Promise<Error>(() => {}) });

/** DATABASE_URL's database, or, without one, an embedded PostgreSQL under DATA_DIR; then the pending migrations. */
export async function openDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  const database = config.databaseUrl
    ? given(config.databaseUrl)
    : await startEmbeddedPostgres(config.dataDir, {
        log: (line) => logger.debug({ postgres: line }),
        died: (reason) => logger.error({ reason }, 'embedded PostgreSQL exited unexpectedly; restarting it'),
        restarted: (attempt) => logger.info({ attempt }, 'embedded PostgreSQL restarted'),
      });
  if (!config.databaseUrl) logger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');
  try {
    const applied = await applyMigrations(database.url);
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  } catch (error) {
    await database.stop();
    throw error;
  }
  return database;
}

/**
 * `member`: this process belongs to a process set. Its primary opened the database (DATABASE_URL names it) and
 * counts the request limits, the project subscription caps and the metrics of the whole set.
 */
export async function startService(config: Config, logger: Logger, { member = false } = {}): Promise<RunningService> {
  const stops: (() => Promise<void>)[] = [];
  // Once stopping, connections end on purpose: what they report is expected, so it is logged at debug.
  let stopping = false;
  const unlessStopping = (level: 'warn' | 'error') => (stopping ? 'debug' : level);
  const stop = async () => {
    stopping = true;
    for (const step of stops.reverse()) await step().catch((error) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    // Traces only when a collector is configured: otherwise the SDK is never loaded (src/observability/tracing.ts).
    if (config.otlpEndpoint) {
      stops.push(await startTracing({ serviceName: config.otelServiceName, endpoint: config.otlpEndpoint }));
    }
    const database = member ? given(config.databaseUrl!) : await openDatabase(config, logger);
    stops.push(database.stop);
    const { url: databaseUrl, lost } = database;

    const { db, pool, close } = createDatabase(
      databaseUrl,
      (error) => logger[unlessStopping('warn')]({ err: error }, 'an idle database connection was dropped'),
      { prepare: config.preparedStatements },
    );
    stops.push(close);
    const secrets = await openSecretBox(config);
    const resealed = await resealWebhookSecrets(db, secrets);
    if (resealed) logger.info({ webhooks: resealed }, 'webhook secrets sealed under the current encryption key');
    const resealedKeys = await resealTokenSigningKeys(db, secrets);
    if (resealedKeys) logger.info({ signingKeys: resealedKeys }, 'token signing keys sealed under the current encryption key');
    const apiKeys = new ApiKeyStore(pool);
    const { generated, created } = await apiKeys.bootstrap(config.bootstrapApiKey);
    if (generated) {
      // Printed once, on first start; only its hash is stored.
      logger.warn({ apiKey: generated }, 'Generated the first API key; store it now, it will not be shown again');
    } else if (created) {
      logger.info('BOOTSTRAP_API_KEY installed as the default project key');
    }

    const destinations = new DestinationPolicy(config.destinationAllowlist);
    // Closed after the queue stops (stops run in reverse), so in-flight attempts keep their connections.
    const client = createDeliveryClient(destinations);
    stops.push(() => client.agent.close());
    const metrics = createMetrics();
    const boss = createBoss(databaseUrl, { monitorIntervalSeconds: Math.min(60, config.jobHeartbeatSeconds) });
    boss.on('error', (error) => logger[unlessStopping('error')]({ err: error }, 'job queue error'));
    await boss.start();
    // Graceful: in-flight attempts finish (bounded by the delivery timeout) before the process exits.
    stops.push(() => boss.stop({ graceful: true, timeout: config.deliveryTimeoutMs + 5_000 }));
    registerQueueGauges(metrics, db, pool, boss);
    await ensureDeliveryQueue(boss, {
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      heartbeatSeconds: config.jobHeartbeatSeconds,
    });
    await ensureRecoveryQueue(boss);

    // Live updates: every process announces changes through Postgres NOTIFY and listens on one connection.
    const onLiveError = (error: unknown, what: string) => logger[unlessStopping('warn')]({ err: error }, what);
    const liveTarget = new PgEventTarget({
      connectionString: databaseUrl,
      notify: batchedNotify((channels, payloads) => notifyMany(pool, channels, payloads)),
      onError: onLiveError,
    });
    stops.push(() => liveTarget.close());
    const tokens = new AccessTokens(pool, secrets);
    const access = new ApiAccess(
      new ApiKeyAuthenticator(pool, tokens),
      new RequestLimits({
        max: config.rateLimitMax,
        windowMs: config.rateLimitWindowMs,
        authFailuresMax: config.authFailureLimit,
        shared: member,
      }),
      pool,
      onLiveError,
    );
    // Listening before start() resolves: from then on a revocation ends the key's open sessions here.
    if (config.role !== 'worker') liveTarget.addEventListener(API_KEY_REVOKED_TOPIC, access.onRevocation);
    // API processes listen for live updates, workers for due jobs.
    await liveTarget.start();
    // Live subscriptions and waiting reads of PULL webhooks' messages share the caps.
    const liveLimits = new SubscriptionLimits(
      { perConnection: config.maxSubscriptionsPerConnection, perProject: config.maxSubscriptionsPerProject },
      member ? sharedProjectSlots() : undefined,
    );
    const live = new LiveUpdates({ db, pool, target: liveTarget, limits: liveLimits, onError: onLiveError });

    // API processes publish what backends send; workers publish the operational events attempts cause.
    const publisher = new EventPublisher(pool, boss, {
      live,
      maxEventBytes: config.maxEventBytes,
      published: metrics.eventsPublished,
    });

    if (config.role !== 'api') {
      const recorder = new AttemptRecorder({
        pool,
        boss,
        metrics,
        retryScheduleMs: config.retryScheduleMs,
        onDeliveryChanged: (delivery) => live.deliveryChanged(delivery),
        publisher,
      });
      const rateLimits = new WebhookRateLimits(pool, boss);
      // A LISTEN webhook's attempts reach its listeners through the database (src/delivery/listening/).
      const listeners = new ListenerRelay({ pool, target: liveTarget, timeoutMs: config.deliveryTimeoutMs });
      const attempter = new DeliveryAttempter({
        pool,
        client,
        secrets,
        recorder,
        rateLimits,
        listeners,
        timeoutMs: config.deliveryTimeoutMs,
      });
      const heldBack = new HeldBackWebhooks(pool, logger, metrics.webhooksHeldBack);
      const webhookSlots = new WebhookSlots(databaseUrl, config.webhookMaxInFlight, logger);
      // Closed once the worker has stopped (stops run in reverse): its requests hold their slots until they end.
      stops.push(() => webhookSlots.close());
      const eventJobs = new EventJobs(boss, pool, logger);
      const worker = new DeliveryWorker(boss, { pool, attempter, heldBack, webhookSlots, eventJobs }, {
        concurrency: config.deliveryConcurrency,
        webhookMaxInFlight: config.webhookMaxInFlight,
        pollIntervalMs: config.jobPollIntervalMs,
        heartbeatSeconds: config.jobHeartbeatSeconds,
        timeoutMs: config.deliveryTimeoutMs,
      }, logger);
      liveTarget.addEventListener(DELIVERY_WAKE_TOPIC, () => worker.wake());
      worker.start();
      stops.push(() => worker.stop());
      const upkeep = tableUpkeep(pool, logger);
      upkeep.start();
      stops.push(() => upkeep.stop());
      await scheduleMaintenance(boss, db, pool, config.retentionDays, logger);
      await workRecoveries(boss, pool, config.recoveryRatePerSecond, logger);
    }

    let httpUrl: string | undefined;
    if (config.role !== 'worker') {
      const server = await buildServer({
        metrics: scrapeOf(metrics.registry, { shared: member }),
        // Room for the largest event plus the request around it.
        timeouts: {
          headersMs: config.httpHeadersTimeoutMs,
          requestMs: config.httpRequestTimeoutMs,
          keepAliveMs: config.httpKeepAliveTimeoutMs,
        },
        bodyLimit: Math.max(1_048_576, config.maxEventBytes * 2),
        logger: logger as FastifyBaseLogger,
        access,
        db,
        services: createServices({
          db,
          pool,
          boss,
          live,
          secrets,
          tokens,
          publicUrl: config.publicUrl,
          pull: { stream: new PullStream({ pool, secrets, target: liveTarget }), limits: liveLimits },
          retentionDays: config.retentionDays,
          listenerSessions: new ListenerSessions({ pool, target: liveTarget, limits: liveLimits }),
          webhookPolicy: { allowHttp: config.allowHttpWebhooks, destinations },
          publisher,
        }),
        portal: { frameAncestors: config.portalFrameAncestors, name: config.portalName, accentColor: config.portalAccentColor },
        graphiql: config.nodeEnv !== 'production',
        schemaExposure: { introspection: config.graphqlIntrospection, suggestions: config.nodeEnv !== 'production' },
        checkReady: async () => {
          await ping(pool).catch((error: Error) => {
            throw new Error(`database unreachable: ${error.message}`);
          });
          const pending = await pendingMigrations(await appliedMigrationNames(pool));
          if (pending.length) throw new Error(`migrations not applied: ${pending.join(', ')}`);
        },
      });
      await server.listen({ port: config.port, host: config.host });
      stops.push(async () => {
        // Live subscriptions never end by themselves: after a grace period for ordinary requests, the connections
        // still open (SSE streams) are dropped, so their clients reconnect, to another process.
        const grace = setTimeout(() => server.server.closeAllConnections(), 2_000);
        await server.close();
        clearTimeout(grace);
      });
      const { port } = server.server.address() as { port: number };
      httpUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    }
    return { httpUrl, databaseUrl, stop, lost };
  } catch (error) {
    await stop();
    throw error;
  }
}
