// A webhook's stats over a window, for a principal: read from the buckets the recorder keeps (src/webhooks/stats.ts),
// never by counting attempts. Needs `webhooks:read`: a webhook's health is part of the webhook, as its status and
// disabled reason are, and the stats show no delivery's content (docs/access.md).
import type pg from 'pg';
import type { Principal } from '../auth/api-keys.js';
import { readWindowTotals } from '../db/sql/webhook-stats.js';
import { summarizeWindow, windowBuckets, type StatsWindow, type WebhookStats } from '../webhooks/stats.js';
import { authorize } from './authorization.js';
import { NotFoundError } from './errors.js';
import { reachWebhook } from './ownership.js';

export type WebhookStatsDeps = { pool: pg.Pool; now?: () => Date };

export class WebhookStatsService {
  constructor(private readonly deps: WebhookStatsDeps) {}

  /** The principal's webhook's stats over the window ending now; NotFoundError for another project's webhook. */
  async get(principal: Principal, webhookId: string, window: StatsWindow): Promise<WebhookStats> {
    authorize(principal, 'webhooks:read', "Reading a webhook's stats");
    reachWebhook(principal, webhookId);
    const { bucketSeconds, since } = windowBuckets(window, (this.deps.now ?? (() => new Date()))());
    const totals = await readWindowTotals(this.deps.pool, principal.projectId, webhookId, bucketSeconds, since);
    if (!totals) throw new NotFoundError(`No webhook with id ${webhookId}`);
    return summarizeWindow(window, since, totals);
  }
}
