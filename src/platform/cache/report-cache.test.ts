import { ReportCache } from './report-cache';

describe('ReportCache', () => {
  it('computes once for concurrent identical keys and serves the kept value after', async () => {
    const cache = new ReportCache<number>();
    let computed = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      computed += 1;
      await gate;
      return 42;
    };
    const all = Promise.all([cache.get('k', compute), cache.get('k', compute), cache.get('k', compute)]);
    release();
    expect(await all).toEqual([42, 42, 42]);
    expect(await cache.get('k', compute)).toBe(42);
    expect(computed).toBe(1);
    expect(await cache.get('other', compute)).toBe(42);
    expect(computed).toBe(2);
  });

  it('keeps no failure and nothing under a null key', async () => {
    const cache = new ReportCache<number>();
    await expect(cache.get('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('k', async () => 1)).toBe(1);
    let n = 0;
    await cache.get(null, async () => ++n);
    await cache.get(null, async () => ++n);
    expect(n).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxEntries, the least recently used going first', async () => {
    const cache = new ReportCache<string>(2);
    await cache.get('a', async () => 'a');
    await cache.get('b', async () => 'b');
    await cache.get('a', async () => 'never');
    await cache.get('c', async () => 'c');
    expect(await cache.get('a', async () => 'again')).toBe('a');
    expect(await cache.get('b', async () => 'recomputed')).toBe('recomputed');
  });
});
