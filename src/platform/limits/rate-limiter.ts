import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../logger.js';

/** The verdict on one request, with what the `ratelimit-*` headers say. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the caller may try again (when refused). */
  retryAfterSeconds: number;
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

/** Counts requests per key. */
export interface RateLimiter {
  hit(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

/** How one limiter counts. */
export interface LimiterOptions {
  /** Distinguishes this limiter's keys from the others' in Redis. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Once over the limit, refuse for this long (default: until the window ends). */
  blockSeconds?: number;
}

/**
 * A rate-limiter-flexible limiter: counters in Redis (shared by every node) when `redis` is given,
 * with this node's own counters as insurance whenever Redis cannot answer, so limits never lapse;
 * this node's counters alone otherwise.
 */
export function flexibleLimiter(options: LimiterOptions, redis?: Redis): RateLimiterAbstract {
  const common = {
    keyPrefix: `rapport:${options.keyPrefix}`,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  };
  const memory = new RateLimiterMemory(common);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...common, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

/** The client the limiters share: fails fast while Redis is away, so the insurance counters answer at once. */
export function limiterRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let down = false;
  redis.on('error', (error: unknown) => {
    if (!down) logger.warn('rate limits: Redis unreachable, counting on this node until it is back', { error });
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
  return redis;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Consumes one point of `key`; resolves with the limiter's answer either way. */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  try {
    return { allowed: true, res: await limiter.consume(key) };
  } catch (e) {
    if (e instanceof RateLimiterRes) return { allowed: false, res: e };
    throw e;
  }
}

/** The request limiter: `perMinute` requests a minute per key (a principal, or an address without one). */
export class RequestRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(private readonly perMinute: number, redis?: Redis) {
    this.limiter = flexibleLimiter({ keyPrefix: 'rate', points: perMinute, durationSeconds: 60 }, redis);
  }

  async hit(key: string): Promise<RateDecision> {
    const { allowed, res } = await consume(this.limiter, key);
    const resetSeconds = seconds(res.msBeforeNext);
    return { allowed, retryAfterSeconds: allowed ? 0 : resetSeconds, limit: this.perMinute, remaining: Math.max(0, res.remainingPoints), resetSeconds };
  }

  async close(): Promise<void> {}
}
