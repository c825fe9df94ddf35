// A webhook's in-flight limit across every worker: WEBHOOK_MAX_IN_FLIGHT slots per webhook, and an attempt is made
// only holding one of its webhook's slots, from before its request starts until it ends. A slot is a session-level
// advisory lock (src/db/sql/webhook-slots.ts) held on this process's own connection: a fetched batch takes the slots
// of all its attempts in one statement, ended requests give theirs back together (one statement per event-loop
// turn), and a worker that dies, or loses its connection, holds none any more (Postgres drops a session's locks with
// it). Nothing is written: no row, no WAL. What it assumes: two webhooks whose ids hash alike (`hashtext`, 32 bits)
// share their slots, which only makes their limit stricter; and while Postgres restarts, the slots of requests
// already in flight are forgotten, so for as long as those requests last a webhook may have up to twice its limit
// in flight.
import pg from 'pg';
import type { Logger } from 'pino';
import { releaseWebhookSlots, takeWebhookSlots, type WebhookSlot } from '../../db/sql/webhook-slots.js';

/** A slot taken, and the session that holds it (a slot of a lost session is gone already). */
export type TakenSlot = WebhookSlot & { session: number };

export class WebhookSlots {
  private client: Promise<pg.Client> | null = null;
  /** Which session the current connection is: slots taken on an earlier one vanished with it. */
  private session = 0;
  /** The slots this session holds, by `webhookId:slot`, until their release is sent. */
  private readonly held = new Map<string, WebhookSlot>();
  private releasing: TakenSlot[] = [];
  /** The statements sent on the connection, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connectionString: string,
    private readonly perWebhook: number,
    private readonly logger: Logger,
  ) {}

  /** Takes up to `count` slots of each webhook, as many as are free across every worker. */
  async take(wanted: Map<string, number>): Promise<Map<string, TakenSlot[]>> {
    const taken = new Map<string, TakenSlot[]>();
    if (wanted.size === 0) return taken;
    const client = await this.connect();
    const session = this.session;
    const wants = [...wanted].map(([webhookId, count]) => ({ webhookId, count }));
    // What this session holds when the statement runs, not when it was asked for.
    const slots = await this.onSession(() => takeWebhookSlots(client, wants, this.perWebhook, [...this.held.values()]));
    if (session !== this.session) return taken; // the connection broke meanwhile: its locks are gone
    for (const slot of slots) {
      this.held.set(key(slot), slot);
      taken.set(slot.webhookId, [...(taken.get(slot.webhookId) ?? []), { ...slot, session }]);
    }
    return taken;
  }

  /** The request that held `slot` ended: it is given back with the others of this event-loop turn. */
  release(slot: TakenSlot): void {
    if (slot.session !== this.session) return;
    this.releasing.push(slot);
    if (this.releasing.length === 1) setImmediate(() => this.sendReleases());
  }

  /** Ends the session: every slot it holds is free again. */
  async close(): Promise<void> {
    const client = this.client;
    this.dropSession();
    await client?.then((c) => c.end()).catch(() => {});
  }

  private sendReleases() {
    const slots = this.releasing.filter((slot) => slot.session === this.session);
    this.releasing = [];
    if (slots.length === 0 || !this.client) return;
    // Out of `held` once sent: the connection runs statements in order, so a later take finds them free.
    for (const slot of slots) this.held.delete(key(slot));
    void this.client
      .then((client) => this.onSession(() => releaseWebhookSlots(client, slots)))
      .catch((error) => this.logger.warn({ err: error }, 'could not release webhook slots; the session is ended instead'));
  }

  private connect(): Promise<pg.Client> {
    this.client ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'webhook-slots' });
      client.on('error', (error) => {
        this.logger.warn({ err: error }, 'the webhook slots connection broke: its slots are free');
        this.dropSession();
      });
      await client.connect();
      return client;
    })().catch((error) => {
      this.dropSession();
      throw error;
    });
    return this.client;
  }

  /**
   * Runs a statement after those sent before it (in order: a release sent before a take frees its slots for it). One
   * that fails leaves the session in doubt: it is ended, and with it every slot it held.
   */
  private async onSession<T>(statement: () => Promise<T>): Promise<T> {
    const result = this.queue.then(statement);
    this.queue = result.catch(() => {});
    try {
      return await result;
    } catch (error) {
      const client = this.client;
      this.dropSession();
      void client?.then((c) => c.end()).catch(() => {});
      throw error;
    }
  }

  private dropSession() {
    this.client = null;
    this.session++;
    this.held.clear();
    this.releasing = [];
  }
}

const key = (slot: WebhookSlot) => `${slot.webhookId}:${slot.slot}`;
