import { MemoryRateLimiter } from './rate-limiter';

describe('MemoryRateLimiter', () => {
  it('allows perMinute hits per key in a window, then refuses until the window ends', async () => {
    let now = 60_000 * 1000 + 15_000;
    const limiter = new MemoryRateLimiter(2, () => now);
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect(await limiter.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect((await limiter.hit('b')).allowed).toBe(true);
    now += 45_000;
    expect((await limiter.hit('a')).allowed).toBe(true);
  });
});
