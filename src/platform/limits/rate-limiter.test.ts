import { RequestRateLimiter } from './rate-limiter';

describe('RequestRateLimiter (per node)', () => {
  it('allows perMinute hits per key in a window, then refuses with the time left; keys are counted apart', async () => {
    const limiter = new RequestRateLimiter(2);
    expect(await limiter.hit('a')).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(await limiter.hit('a')).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await limiter.hit('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(refused.resetSeconds).toBe(refused.retryAfterSeconds);
    expect((await limiter.hit('b')).allowed).toBe(true);
  });
});
