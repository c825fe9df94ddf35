// The delivery worker's slots: what it holds and what it may fetch. Pure bookkeeping, no I/O and no clock of its own
// (callers pass the time). A job is in hand from its fetch until its outcome is recorded (what the heartbeat keeps
// claimed), and its request is in flight until the receiver has answered (or the request ended otherwise): only
// that needs a slot, so a slot is free again before the outcome is recorded.

/** What the slots need of a job: its id and its group (the webhook), if any. */
export type SlotJob = { id: string; groupId?: string | null };

export type SlotLimits = {
  /** Requests in flight at most; as many answered jobs more may wait for their outcome to be recorded. */
  concurrency: number;
  /** A webhook's in-flight limit (its pg-boss group limit). */
  webhookMaxInFlight: number;
  /** A request waiting longer than this is slow. */
  slowAfterMs: number;
};

export class DeliverySlots<J extends SlotJob> {
  /** The jobs in hand until recorded, by id. */
  private readonly inHand = new Map<string, J>();
  /** Requests not ended yet: the slots in use. */
  private inFlight = 0;
  /** Jobs in hand per webhook: at its in-flight limit, one of them completing lets its next job be fetched. */
  private readonly inHandPerWebhook = new Map<string, number>();
  /** Requests in flight, by job id: to which webhook, since when (to find slow webhooks). */
  private readonly requests = new Map<string, { webhookId: string; since: number }>();

  constructor(private readonly limits: SlotLimits) {}

  get slowAfterMs(): number {
    return this.limits.slowAfterMs;
  }

  /** How many jobs a fetch may take now: a slot each, and room in hand for their outcomes. */
  free(): number {
    const { concurrency } = this.limits;
    return Math.min(concurrency - this.inFlight, 2 * concurrency - this.inHand.size);
  }

  /** Jobs fetched: in hand, a slot each. */
  take(jobs: readonly J[]): void {
    for (const job of jobs) this.inHand.set(job.id, job);
    this.inFlight += jobs.length;
  }

  /** A taken job's request starts at `now`. */
  requestStarted(job: J, now: number): void {
    const webhookId = job.groupId;
    if (!webhookId) return;
    this.requests.set(job.id, { webhookId, since: now });
    this.inHandPerWebhook.set(webhookId, (this.inHandPerWebhook.get(webhookId) ?? 0) + 1);
  }

  /** A job's request ended (answered, timed out, or never sent): its slot is free. */
  requestEnded(job: J): void {
    this.inFlight--;
    this.requests.delete(job.id);
  }

  /**
   * A job's outcome is recorded (or could not be): it leaves the hand. Returns whether its webhook was at its
   * in-flight limit in this process until then (so this completion may let the webhook's next job be fetched).
   */
  completed(job: J): { webhookWasAtLimit: boolean } {
    this.inHand.delete(job.id);
    const webhookId = job.groupId;
    if (!webhookId) return { webhookWasAtLimit: false };
    const inHand = this.inHandPerWebhook.get(webhookId)!;
    if (inHand > 1) this.inHandPerWebhook.set(webhookId, inHand - 1);
    else this.inHandPerWebhook.delete(webhookId);
    return { webhookWasAtLimit: inHand >= this.limits.webhookMaxInFlight };
  }

  /** The jobs in hand: what the heartbeat keeps claimed. */
  jobsInHand(): J[] {
    return [...this.inHand.values()];
  }

  get inHandCount(): number {
    return this.inHand.size;
  }

  /** How many requests in flight at `now` have not waited longer than `slowAfterMs`: those likely to end soon. */
  promptInFlight(now: number): number {
    let prompt = 0;
    for (const { since } of this.requests.values()) if (now - since <= this.limits.slowAfterMs) prompt++;
    return prompt;
  }

  /** The webhooks whose requests waiting longer than `slowAfterMs` at `now` fill their in-flight limit. */
  slowWebhooks(now: number): string[] {
    const slow = new Map<string, number>();
    for (const { webhookId, since } of this.requests.values()) {
      if (now - since > this.limits.slowAfterMs) slow.set(webhookId, (slow.get(webhookId) ?? 0) + 1);
    }
    return [...slow].filter(([, waiting]) => waiting >= this.limits.webhookMaxInFlight).map(([webhookId]) => webhookId);
  }
}
