// The application layer: every use case, decided and authorised once for a principal, whatever the transport
// (GraphQL over HTTP, SSE and graphql-ws; REST). Transports map requests in and answers out, nothing more.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import type { EventPublisher } from '../events/publisher.js';
import type { LiveUpdates } from '../live/updates.js';
import { ApiKeyStore } from '../auth/api-keys.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { AuditLog } from './audit.js';
import { DeliveryService } from './deliveries.js';
import { EventService } from './events.js';
import { JobService } from './jobs.js';
import { MessageService } from './messages.js';
import type { PullStream } from '../delivery/pull/stream.js';
import type { SubscriptionLimits } from '../live/subscription-limits.js';
import { ListenerService } from './listeners.js';
import type { ListenerSessions } from '../delivery/listening/sessions.js';
import { ProjectService } from './projects.js';
import { RecoveryService } from './recoveries.js';
import { PortalService } from './portal.js';
import { TokenService } from './tokens.js';
import type { AccessTokens } from '../auth/tokens.js';
import { WebhookStatsService } from './webhook-stats.js';
import { WebhookHealthService } from './webhook-health.js';
import { WebhookService, type WebhookPolicy } from './webhooks.js';

export type Services = {
  webhooks: WebhookService;
  webhookHealth: WebhookHealthService;
  deliveries: DeliveryService;
  messages: MessageService;
  recoveries: RecoveryService;
  events: EventService;
  jobs: JobService;
  projects: ProjectService;
  audit: AuditLog;
  tokens: TokenService;
  portal: PortalService;
  webhookStats: WebhookStatsService;
  listeners: ListenerService;
};

export type ServiceDeps = {
  db: Db;
  pool: pg.Pool;
  boss: PgBoss;
  live: LiveUpdates;
  publisher: EventPublisher;
  secrets: SecretBox;
  webhookPolicy: WebhookPolicy;
  /** Signs and verifies access tokens (shared with authentication: src/auth/access.ts). */
  tokens: AccessTokens;
  /** The service's public address for portal links (PUBLIC_URL); the request's origin when unset. */
  publicUrl?: string | undefined;
  /** PULL webhooks' messages, and the live slots a waiting read holds. */
  pull: { stream: PullStream; limits: SubscriptionLimits };
  /** RETENTION_DAYS: how long messages are kept, how far back a list's or a recovery's window may reach. */
  retentionDays: number;
  /** The listener sessions this API process holds (LISTEN webhooks' deliveries). */
  listenerSessions: ListenerSessions;
};

export function createServices({
  db,
  pool,
  boss,
  live,
  publisher,
  secrets,
  webhookPolicy,
  tokens,
  publicUrl,
  pull,
  retentionDays,
  listenerSessions,
}: ServiceDeps): Services {
  const audit = new AuditLog(db);
  const tokenService = new TokenService({ tokens });
  return {
    webhooks: new WebhookService({ db, policy: webhookPolicy, secrets, publisher, audit }),
    webhookHealth: new WebhookHealthService({ db, live, retentionDays }),
    deliveries: new DeliveryService({ db, pool, boss, live, audit, retentionDays }),
    messages: new MessageService({ db, pool, live, ...pull, retentionDays }),
    recoveries: new RecoveryService({ db, pool, boss, audit, retentionDays }),
    events: new EventService({ db, publisher, audit, retentionDays }),
    jobs: new JobService({ db, pool, live }),
    projects: new ProjectService({ db, pool, apiKeys: new ApiKeyStore(pool), audit }),
    audit,
    tokens: tokenService,
    portal: new PortalService({ tokens: tokenService, publicUrl }),
    webhookStats: new WebhookStatsService({ pool }),
    listeners: new ListenerService({ db, sessions: listenerSessions }),
  };
}
