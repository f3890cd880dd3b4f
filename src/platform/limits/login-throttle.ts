import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError, withHttpStatus } from '../errors.js';
import { consume, flexibleLimiter } from './rate-limiter.js';

/** Log-in limits (CONTRACT.md): per email, whatever the address or credential; and per address. */
export const LOGIN_LIMITS = {
  /** 10 failed attempts for one email within 15 minutes, then RATE_LIMITED for 15 minutes. */
  perEmail: { points: 10, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
  /** 100 failed attempts from one address within 15 minutes, then RATE_LIMITED for 15 minutes. */
  perAddress: { points: 100, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
} as const;

/**
 * Counts log-in attempts per email and per address (every attempt counts until it succeeds, so
 * concurrent guesses cannot slip past the limit), shared through Redis when there is one, never
 * lapsing when it is away. A success clears its email's count.
 */
export class LoginThrottle {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;

  constructor(redis?: Redis) {
    this.byEmail = flexibleLimiter({ keyPrefix: 'login-email', ...LOGIN_LIMITS.perEmail }, redis);
    this.byAddress = flexibleLimiter({ keyPrefix: 'login-address', ...LOGIN_LIMITS.perAddress }, redis);
  }

  /** Counts an attempt; RATE_LIMITED (HTTP 429) when the email or the address is over its limit. */
  async attempt(email: string, address: string | undefined): Promise<void> {
    const [mail, from] = await Promise.all([
      consume(this.byEmail, email.trim().toLowerCase()),
      address ? consume(this.byAddress, address) : Promise.resolve(null),
    ]);
    const refused = [mail, from].filter((r) => r && !r.allowed);
    if (refused.length) {
      const wait = Math.max(...refused.map((r) => Math.ceil(r!.res.msBeforeNext / 1000)), 1);
      throw withHttpStatus(new RateLimitedError(wait), 429);
    }
  }

  /** The attempt succeeded: its email starts afresh, and it does not count against the address. */
  async succeeded(email: string, address: string | undefined): Promise<void> {
    await Promise.all([this.byEmail.delete(email.trim().toLowerCase()), address ? this.byAddress.reward(address, 1) : undefined]);
  }
}
