// What a principal may see: the resources of its project, and of those only the jobs and webhooks an access token is
// restricted to (its `jobIds`, `webhookIds`). Another project's resource, or one outside a token's restriction, is
// indistinguishable from one that does not exist (NotFoundError), for reads, writes and subscriptions alike.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import { inSnapshot } from '../db/transaction.js';
import type { Delivery, Event, Prisma, Webhook } from '../generated/prisma/client.js';
import { NotFoundError } from './errors.js';

/** The filter that scopes a read or a write to the principal's project. */
export const ofProject = (principal: Principal) => ({ projectId: principal.projectId });

/** The filter that keeps a webhook read or write within a token's webhooks (nothing for a key). */
export const ofWebhooks = ({ webhookIds }: Principal) => (webhookIds ? { id: { in: [...webhookIds] } } : {});

/** The filter that keeps a delivery read within a token's webhooks (nothing for a key); for a relation too. */
export const ofWebhooksDeliveries = ({ webhookIds }: Principal) => (webhookIds ? { webhookId: { in: [...webhookIds] } } : {});

/** The filter that keeps an event read within a token's jobs (nothing for a key). */
export const ofJobs = ({ jobIds }: Principal) => (jobIds ? { jobId: { in: [...jobIds] } } : {});

/** Whether the principal may reach the webhook (and its deliveries) at all: a token restricted to others may not. */
export const reachesWebhook = ({ webhookIds }: Principal, id: string) => !webhookIds || webhookIds.includes(id);

/** Raises NotFoundError unless the principal may reach the webhook: a token restricted to other webhooks may not. */
export function reachWebhook(principal: Principal, webhookId: string): void {
  if (!reachesWebhook(principal, webhookId)) throw new NotFoundError(`No webhook with id ${webhookId}`);
}

/** Raises NotFoundError unless the principal may reach the job: a token restricted to other jobs may not. */
export function reachJob({ jobIds }: Principal, jobId: string): void {
  if (jobIds && !jobIds.includes(jobId)) throw new NotFoundError(`No job with id ${jobId}`);
}

/** The principal's webhook with that id, or NotFoundError (`db` may be a transaction's). */
export async function webhookOf(db: Prisma.TransactionClient, principal: Principal, id: string): Promise<Webhook> {
  reachWebhook(principal, id);
  const webhook = await db.webhook.findFirst({ where: { id, ...ofProject(principal) } });
  if (!webhook) throw new NotFoundError(`No webhook with id ${id}`);
  return webhook;
}

/** What a GraphQL selection adds to a read (relations); empty for the row alone. */
export type DeliverySelection = Pick<Prisma.DeliveryFindFirstArgs, 'select' | 'include'>;

/** The principal's delivery with what the selection asks for, all read from one snapshot; or NotFoundError. */
export async function deliveryOf(db: Db, principal: Principal, id: string, selection: DeliverySelection = {}): Promise<Delivery> {
  const where = { id, ...ofProject(principal), ...ofWebhooksDeliveries(principal) };
  const delivery = await inSnapshot(db, (tx) => tx.delivery.findFirst({ ...selection, where }));
  if (!delivery) throw new NotFoundError(`No delivery with id ${id}`);
  return delivery;
}

/**
 * A delivery as a use case left it (read in its transaction), or, when the selection asks for relations, read again
 * with them (after the commit: a worker may have attempted it meanwhile).
 */
export function withSelection(db: Db, principal: Principal, delivery: Delivery, selection: DeliverySelection): Promise<Delivery> {
  return selection.select || selection.include ? deliveryOf(db, principal, delivery.id, selection) : Promise.resolve(delivery);
}

/** What a GraphQL selection adds to an event's read (its deliveries); empty for the row alone. */
export type EventSelection = Pick<Prisma.EventFindFirstArgs, 'select' | 'include'>;

/** The principal's event with that id, or null (past retention, or another project's). */
export function eventOf(db: Db, principal: Principal, id: string, selection: EventSelection = {}): Promise<Event | null> {
  return db.event.findFirst({ ...selection, where: { id, ...ofProject(principal), ...ofJobs(principal) } });
}

/** Who follows something live: the principal, and the transport connection it holds a subscription slot on. */
export type LiveCaller = { principal: Principal; connection: object };

/** The live layer's view of a caller (src/live/updates.ts). */
export const subscriberOf = ({ principal, connection }: LiveCaller) => ({ projectId: principal.projectId, connection });
