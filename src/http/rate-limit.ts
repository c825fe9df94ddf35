// The request limits, decided here once for every transport: rate-limiter-flexible's fixed windows, in the memory of
// a lone process, or, in a process set (src/process-set/), in its primary's, every process asking it over the
// cluster's IPC (RateLimiterCluster), so a key's budget is the whole set's:
// - per API key, RATE_LIMIT_MAX per RATE_LIMIT_WINDOW for REST, and as many again for GraphQL: a GraphQL request over
//   HTTP, an SSE subscription and each graphql-ws operation all count against the key's one GraphQL budget;
// - per client address, AUTH_FAILURE_LIMIT failed authentications (missing, unknown or revoked keys) per
//   RATE_LIMIT_WINDOW; beyond it the address is refused before its key is even looked up.
import type { FastifyReply } from 'fastify';
import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export type RateLimitSettings = {
  /** Requests per API key per window and surface; 0 turns the per-key limit off. */
  max: number;
  windowMs: number;
  /** Failed authentications per client address per window; 0 turns this limit off. */
  authFailuresMax: number;
  /** Counted by the primary of the process set this process belongs to (`keepSharedRequestLimits`). */
  shared?: boolean;
};

/** What a key's budget is counted for: REST, or GraphQL whatever its transport. */
export type Surface = 'rest' | 'graphql';

/** Over a limit: what to tell the caller, and when to try again. */
export type RateLimited = { limited: true; message: string; retryAfterSeconds: number; limit: number };
/** Within the limit: what is left of the window (sent as `x-ratelimit-*` headers on HTTP). */
export type Admitted = { limited: false; limit: number; remaining: number; resetSeconds: number };

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class RequestLimits {
  private readonly perKey: Record<Surface, RateLimiterAbstract> | null;
  private readonly failures: RateLimiterAbstract | null;
  private readonly window: string;

  constructor(private readonly settings: RateLimitSettings) {
    const duration = settings.windowMs / 1000;
    this.window = `${duration} s`;
    const limiter = (options: IRateLimiterOptions) =>
      settings.shared ? new RateLimiterCluster(options) : new RateLimiterMemory(options);
    this.perKey =
      settings.max === 0
        ? null
        : {
            rest: limiter({ keyPrefix: 'rest', points: settings.max, duration }),
            graphql: limiter({ keyPrefix: 'graphql', points: settings.max, duration }),
          };
    this.failures =
      settings.authFailuresMax === 0 ? null : limiter({ keyPrefix: 'auth-failures', points: settings.authFailuresMax, duration });
  }

  /** Counts one request (or graphql-ws operation) of a key; null when there is no limit. */
  async admit(surface: Surface, apiKeyId: string): Promise<Admitted | RateLimited | null> {
    const limiter = this.perKey?.[surface];
    if (!limiter) return null;
    const max = this.settings.max;
    try {
      const res = await limiter.consume(apiKeyId);
      return { limited: false, limit: max, remaining: res.remainingPoints, resetSeconds: seconds(res.msBeforeNext) };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = seconds(rejection.msBeforeNext);
      const what = surface === 'rest' ? 'REST requests' : 'GraphQL requests and operations (HTTP, SSE and graphql-ws together)';
      return {
        limited: true,
        limit: max,
        retryAfterSeconds,
        message: `Rate limit exceeded: at most ${max} requests per ${this.window} per API key, counting ${what}; retry in ${retryAfterSeconds} s`,
      };
    }
  }

  /** Whether an address has used up its failed authentications; checked before a key is looked up. */
  async authenticationRefused(clientAddress: string): Promise<RateLimited | null> {
    const res = await this.failures?.get(clientAddress);
    if (!res || res.consumedPoints < this.settings.authFailuresMax) return null;
    const retryAfterSeconds = seconds(res.msBeforeNext);
    return {
      limited: true,
      limit: this.settings.authFailuresMax,
      retryAfterSeconds,
      message: `Too many failed authentications: at most ${this.settings.authFailuresMax} per ${this.window} from one address; retry in ${retryAfterSeconds} s`,
    };
  }

  /** Counts a missing, unknown or revoked key presented from an address. */
  async authenticationFailed(clientAddress: string): Promise<void> {
    await this.failures?.penalty(clientAddress, 1);
  }
}

/** In the primary of a process set: keeps the windows of every process's limits (created as they ask). */
export function keepSharedRequestLimits(): void {
  new RateLimiterClusterMaster();
}

/** Sets the HTTP headers of a decision: `x-ratelimit-*` within the limit, `Retry-After` beyond it. */
export function rateLimitHeaders(reply: FastifyReply, decision: Admitted | RateLimited) {
  reply.header('x-ratelimit-limit', decision.limit);
  if (decision.limited) {
    reply.header('x-ratelimit-remaining', 0);
    reply.header('retry-after', decision.retryAfterSeconds);
  } else {
    reply.header('x-ratelimit-remaining', decision.remaining);
    reply.header('x-ratelimit-reset', decision.resetSeconds);
  }
}
