import { Coalescer, type Coalesced } from './coalescer';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** A source whose value is the number of computations so far, with a computing time. */
function counter(ms = 0) {
  let n = 0;
  const source = {
    compute: jest.fn(async () => {
      const value = { n: ++n };
      if (ms) await new Promise((r) => setTimeout(r, ms));
      return value;
    }),
  };
  return source;
}

describe('Coalescer', () => {
  it('shares one computation between joiners and answers later joiners from the last value', async () => {
    const c = new Coalescer<{ n: number }>();
    const source = counter(10);
    const a = c.join('k', source, () => {});
    const b = c.join('k', source, () => {});
    await jest.advanceTimersByTimeAsync(10);
    const [va, vb] = await Promise.all([a.current, b.current]);
    expect(va).toBe(vb);
    const late = c.join('k', source, () => {});
    expect(await late.current).toBe(va);
    expect(source.compute).toHaveBeenCalledTimes(1);
    expect(c.computations).toBe(1);
  });

  it('recomputes at most once per interval over a burst of triggers, sharing each result', async () => {
    const c = new Coalescer<{ n: number }>({ intervalMs: 250 });
    const source = counter(5);
    const heard: Array<Array<Coalesced<{ n: number }>>> = [[], [], []];
    const members = heard.map((list) => c.join('k', source, (r) => list.push(r)));
    await jest.advanceTimersByTimeAsync(5);
    await Promise.all(members.map((m) => m.current));
    const before = c.computations;
    for (let i = 0; i < 1000; i++) {
      c.touch('k');
      await jest.advanceTimersByTimeAsync(1);
    }
    await jest.advanceTimersByTimeAsync(1000);
    const during = c.computations - before;
    expect(during).toBeGreaterThanOrEqual(4);
    expect(during).toBeLessThanOrEqual(5);
    // Every member heard every recomputation, and the very same object.
    for (const list of heard) expect(list).toHaveLength(during);
    for (let i = 0; i < during; i++) {
      expect(heard[1][i]).toBe(heard[0][i]);
      expect(heard[2][i]).toBe(heard[0][i]);
    }
    // The last result reflects the last trigger: it was computed after it.
    expect((heard[0][during - 1] as { value: { n: number } }).value.n).toBe(c.computations);
  });

  it('keeps starts at least an interval apart when triggered during a computation', async () => {
    const c = new Coalescer<{ n: number }>({ intervalMs: 250 });
    const starts: number[] = [];
    const source = {
      compute: async () => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 100));
        return { n: starts.length };
      },
    };
    const m = c.join('k', source, () => {});
    await jest.advanceTimersByTimeAsync(100);
    await m.current;
    c.touch('k');
    await jest.advanceTimersByTimeAsync(260); // the scheduled computation started and is running
    c.touch('k'); // during it
    await jest.advanceTimersByTimeAsync(1000);
    expect(starts).toHaveLength(3);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(250);
  });

  it('does not compute without triggers, and stops when the last member leaves', async () => {
    const c = new Coalescer<{ n: number }>();
    const source = counter();
    const stop = jest.fn();
    let trigger!: () => void;
    const activate = jest.fn((t: () => void) => {
      trigger = t;
      return stop;
    });
    const a = c.join('k', { ...source, activate }, () => {});
    const b = c.join('k', { ...source, activate }, () => {});
    await a.current;
    await b.current;
    expect(activate).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(source.compute).toHaveBeenCalledTimes(1);
    trigger();
    a.leave();
    expect(stop).not.toHaveBeenCalled();
    b.leave();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(c.size()).toBe(0);
    await jest.advanceTimersByTimeAsync(5000);
    expect(source.compute).toHaveBeenCalledTimes(1); // the pending trigger was dropped with the key
  });

  it('keeps keys apart', async () => {
    const c = new Coalescer<string>();
    const a = c.join('a', { compute: async () => 'A' }, () => {});
    const b = c.join('b', { compute: async () => 'B' }, () => {});
    expect(await a.current).toBe('A');
    expect(await b.current).toBe('B');
  });

  it('rejects joiners and tells members when a computation fails', async () => {
    const c = new Coalescer<number>();
    let fail = false;
    const source = {
      compute: async () => {
        if (fail) throw new Error('boom');
        return 1;
      },
    };
    const heard: Array<Coalesced<number>> = [];
    const m = c.join('k', source, (r) => heard.push(r));
    expect(await m.current).toBe(1);
    fail = true;
    c.touch('k');
    await jest.advanceTimersByTimeAsync(300);
    expect(heard).toHaveLength(1);
    expect((heard[0] as { error: Error }).error.message).toBe('boom');
    m.leave();
    const again = c.join('k', source, () => {});
    await expect(again.current).rejects.toThrow('boom');
    expect(c.size()).toBe(0);
  });

  it('computes again for a joiner whose part the last value lacks, and gives it the value that has it', async () => {
    const c = new Coalescer<Set<string>>();
    const parts = new Set(['a']);
    const source = { compute: jest.fn(async () => new Set(parts)) };
    const first = c.join('k', source, () => {}, (v) => v.has('a'));
    expect(await first.current).toEqual(new Set(['a']));
    parts.add('b');
    const second = c.join('k', source, () => {}, (v) => v.has('b'));
    expect(await second.current).toEqual(new Set(['a', 'b']));
    expect(source.compute).toHaveBeenCalledTimes(2);
    // A joiner that leaves before any value has its part stops waiting.
    const gone = c.join('k', source, () => {}, () => false);
    gone.leave();
    await expect(gone.current).resolves.toBeDefined();
  });
});
