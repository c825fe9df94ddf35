// An EventTarget for Yoga's pub/sub over Postgres LISTEN/NOTIFY, so an event published by any process reaches the
// subscribers of every process. One dedicated connection per process listens, on one channel per topic that has
// listeners here (channel names are identifiers of at most 63 bytes, so a topic's channel is its hash). After a
// dropped connection it reconnects, listens again, and tells every topic's listeners to resynchronise from the
// database, since notifications sent meanwhile are lost. NOTIFY payloads must stay under 8,000 bytes.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { listenStatement, type Notices, unlistenStatement } from '../db/sql/notify.js';

/** Dispatched to every topic after a reconnection: notifications since `since` (epoch ms) may have been missed. */
export type Resync = { resync: true; since: number };
export const isResync = (detail: unknown): detail is Resync =>
  typeof detail === 'object' && detail !== null && (detail as { resync?: unknown }).resync === true;

export const MAX_PAYLOAD_BYTES = 7_999;

export type PgEventTargetOptions = {
  connectionString: string;
  /** Sends one NOTIFY on any connection; notifications sent on different connections may arrive out of order. */
  notify: (channel: string, payload: string) => Promise<unknown>;
  onError: (error: unknown, what: string) => void;
  reconnectDelayMs?: { first: number; max: number };
};

type Listener = EventListenerOrEventListenerObject;
type Deferred = { promise: Promise<void>; resolve: () => void; settled: boolean };

const deferred = (): Deferred => {
  const d = { settled: false } as Deferred;
  d.promise = new Promise<void>((resolve) => {
    d.resolve = () => {
      d.settled = true;
      resolve();
    };
  });
  return d;
};

export const channelFor = (topic: string) => `live_${createHash('sha256').update(topic).digest('hex').slice(0, 40)}`;

export class PgEventTarget implements EventTarget {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly topicByChannel = new Map<string, string>();
  /** Per channel: resolved once LISTEN is in effect on the current connection. */
  private readonly listening = new Map<string, Deferred>();
  private client: pg.Client | null = null;
  private reconnecting = false;
  private closed = false;
  private retryTimer: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private commands: Promise<unknown> = Promise.resolve();
  /** Where `dispatchEvent` puts its NOTIFYs while `collect` runs. */
  private collecting: Notices | null = null;

  constructor(private readonly options: PgEventTargetOptions) {}

  /** Opens the listening connection: API processes listen for live updates and revocations, workers for due jobs. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer.timer);
      this.retryTimer.wake();
    }
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  /** Resolves once notifications on `topic` are sure to arrive (its LISTEN has completed). */
  whenListening(topic: string): Promise<void> {
    const ready = this.listening.get(channelFor(topic));
    if (!ready) return Promise.reject(new Error(`no listener on ${topic}`));
    return ready.promise;
  }

  addEventListener(topic: string, listener: Listener | null): void {
    if (!listener) return;
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
      const channel = channelFor(topic);
      this.topicByChannel.set(channel, topic);
      this.listening.set(channel, deferred());
      if (this.client) this.listen(this.client, channel).catch(() => {}); // on failure `dropped` reconnects
    }
    set.add(listener);
  }

  removeEventListener(topic: string, listener: Listener | null): void {
    const set = this.listeners.get(topic);
    if (!listener || !set?.delete(listener) || set.size > 0) return;
    this.listeners.delete(topic);
    const channel = channelFor(topic);
    this.topicByChannel.delete(channel);
    this.listening.delete(channel);
    if (this.client) this.command(this.client, unlistenStatement(channel)).catch(() => {}); // dropped: listens to nothing
  }

  /**
   * Publishes `event.detail` to every process listening on `event.type`; never throws (callers have committed). Within
   * `collect`, the NOTIFY is collected instead.
   */
  dispatchEvent(event: Event): boolean {
    const payload = JSON.stringify((event as CustomEvent).detail ?? null);
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_PAYLOAD_BYTES) {
      this.options.onError(new Error(`notification of ${bytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`), `not sent on ${event.type}`);
      return false;
    }
    if (this.collecting) {
      this.collecting.channels.push(channelFor(event.type));
      this.collecting.payloads.push(payload);
      return true;
    }
    this.options.notify(channelFor(event.type), payload).catch((error) => this.options.onError(error, 'NOTIFY failed'));
    return true;
  }

  /**
   * The NOTIFYs that `publish` dispatches (synchronously), in order, instead of sending them: for the caller to send
   * in a statement of its own transaction, so they go out at its commit and never for a rollback.
   */
  collect(publish: () => void): Notices {
    const collected: Notices = { channels: [], payloads: [] };
    const outer = this.collecting;
    this.collecting = collected;
    try {
      publish();
    } finally {
      this.collecting = outer;
    }
    return collected;
  }

  private deliver(topic: string, detail: unknown) {
    const event = new CustomEvent(topic, { detail });
    for (const listener of [...(this.listeners.get(topic) ?? [])]) {
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    }
  }

  private receive(channel: string, payload: string | undefined) {
    const topic = this.topicByChannel.get(channel);
    if (!topic) return;
    let detail: unknown;
    try {
      detail = JSON.parse(payload ?? 'null');
    } catch (error) {
      this.options.onError(error, `unreadable notification on ${topic}`);
      return;
    }
    this.deliver(topic, detail);
  }

  /** One command at a time on the listening connection (pg would queue them too, but warns). */
  private command(client: pg.Client, sql: string): Promise<void> {
    const done = this.commands.then(() => client.query(sql)).then(() => {});
    this.commands = done.catch(() => {});
    return done;
  }

  private async listen(client: pg.Client, channel: string): Promise<void> {
    await this.command(client, listenStatement(channel));
    if (this.client === client) this.listening.get(channel)?.resolve();
  }

  private async connect() {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      keepAlive: true,
      application_name: 'aiplatform-webhooks:live',
    });
    client.on('notification', (message) => this.receive(message.channel, message.payload));
    client.on('error', (error) => {
      this.options.onError(error, 'live connection failed');
      this.dropped(client);
    });
    client.on('end', () => this.dropped(client));
    await client.connect();
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client; // from here on, new topics are listened to as they come
    await Promise.all([...this.topicByChannel.keys()].map((channel) => this.listen(client, channel)));
    if (this.client !== client) throw new Error('live connection dropped while listening');
  }

  private dropped(client: pg.Client) {
    if (this.client !== client) return;
    const since = Date.now();
    this.client = null;
    client.end().catch(() => {});
    // Channels listened to before must be listened to again; whoever still waits keeps waiting on the same promise.
    for (const [channel, ready] of this.listening) if (ready.settled) this.listening.set(channel, deferred());
    if (!this.closed) void this.reconnect(since);
  }

  private async reconnect(since: number) {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const { first, max } = this.options.reconnectDelayMs ?? { first: 100, max: 5_000 };
    try {
      for (let delay = first; !this.closed; delay = Math.min(delay * 2, max)) {
        await new Promise<void>((wake) => (this.retryTimer = { timer: setTimeout(wake, delay), wake }));
        if (this.closed) return;
        try {
          await this.connect();
        } catch (error) {
          this.options.onError(error, 'live connection: reconnect failed');
          continue;
        }
        // Listening again: let subscribers catch up from the database.
        for (const topic of this.listeners.keys()) this.deliver(topic, { resync: true, since } satisfies Resync);
        return;
      }
    } finally {
      this.reconnecting = false;
      this.retryTimer = null;
    }
  }
}
