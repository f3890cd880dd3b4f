import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** The verdict on one request. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends (when refused). */
  retryAfterSeconds: number;
}

/** Counts requests per key in fixed one-minute windows. */
export interface RateLimiter {
  hit(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;

function windowOf(now: number): { index: number; retryAfterSeconds: number } {
  const index = Math.floor(now / WINDOW_MS);
  return { index, retryAfterSeconds: Math.max(1, Math.ceil(((index + 1) * WINDOW_MS - now) / 1000)) };
}

/** Per-node counters, used without REDIS_URL. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, { index: number; count: number }>();

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  async hit(key: string): Promise<RateDecision> {
    const { index, retryAfterSeconds } = windowOf(this.now());
    let entry = this.counts.get(key);
    if (!entry || entry.index !== index) {
      if (this.counts.size > 100_000) this.sweep(index);
      entry = { index, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return { allowed: entry.count <= this.perMinute, retryAfterSeconds };
  }

  private sweep(index: number): void {
    for (const [key, entry] of this.counts) if (entry.index !== index) this.counts.delete(key);
  }

  async close(): Promise<void> {}
}

/** Counters shared by every node through Redis; fails open (allows) while Redis is unreachable. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(url: string, private readonly perMinute: number, private readonly logger: Logger) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
  }

  async hit(key: string): Promise<RateDecision> {
    const { index, retryAfterSeconds } = windowOf(Date.now());
    const redisKey = `rapport:rate:${key}:${index}`;
    try {
      const result = await this.redis.multi().incr(redisKey).pexpire(redisKey, WINDOW_MS + 1000).exec();
      const count = Number(result?.[0]?.[1] ?? 0);
      return { allowed: count <= this.perMinute, retryAfterSeconds };
    } catch (error) {
      this.logger.warn('rate limiter unavailable, allowing the request', { error });
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** The limiter for this configuration; null when limiting is off (perMinute 0). */
export function createRateLimiter(perMinute: number, redisUrl: string | undefined, logger: Logger): RateLimiter | null {
  if (perMinute <= 0) return null;
  return redisUrl ? new RedisRateLimiter(redisUrl, perMinute, logger) : new MemoryRateLimiter(perMinute);
}
