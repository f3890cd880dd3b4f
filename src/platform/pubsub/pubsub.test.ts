import { MemoryPubSub } from './memory-pubsub';
import { channelOf, DISPATCH_BUDGET_MS, LocalListeners, MAX_BATCH, type EventMeta } from './pubsub';

const meta: EventMeta = { publishedAt: 1 };
const turn = () => new Promise((r) => setImmediate(r));
/** Keeps the CPU busy for `ms` (a listener that takes its time). */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
async function turns(n: number) {
  for (let i = 0; i < n; i++) await turn();
}

describe('LocalListeners', () => {
  it('tells the caller about the first listener of a channel and the removal of the last', () => {
    const local = new LocalListeners();
    const a = local.add('c', () => {});
    const b = local.add('c', () => {});
    expect([a.first, b.first]).toEqual([true, false]);
    expect(a.remove()).toBe(false);
    expect(b.remove()).toBe(true);
    expect(local.count()).toBe(0);
    expect(local.has('c')).toBe(false);
  });

  it('reaches thousands of listeners after the dispatch returns, each hearing the events in order', async () => {
    const local = new LocalListeners();
    const other = new LocalListeners(); // another PubSub of the process: the same queue, in dispatch order
    const n = 2007;
    const heard = Array.from({ length: n }, () => [] as unknown[]);
    heard.forEach((list, i) => (i % 2 ? other : local).add('c', (p) => list.push(p)));
    local.dispatch('c', 'one', meta);
    other.dispatch('c', 'one', meta);
    local.dispatch('c', 'two', meta);
    other.dispatch('c', 'two', meta);
    expect(heard[0]).toEqual([]); // never inside the dispatch call
    await turns(50);
    for (const list of heard) expect(list).toEqual(['one', 'two']);
  });

  it('yields to the event loop between slices of a long dispatch, then goes on where it stopped', async () => {
    const local = new LocalListeners();
    const log: string[] = [];
    const listeners = 10 * DISPATCH_BUDGET_MS;
    for (let i = 0; i < listeners; i++) local.add('c', (p) => (busy(1), log.push(`${String(p)}${i}`)));
    local.dispatch('c', 'a', meta);
    local.dispatch('c', 'b', meta);
    setImmediate(() => log.push('other work'));
    await turns(listeners * 2 + 5);
    // Each call takes 1 ms, and both events ride one pass (each listener hears a, then b), so the
    // first turn ends after at most DISPATCH_BUDGET_MS + 1 calls and other work queued behind it
    // runs long before the last listener is reached.
    const other = log.indexOf('other work');
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThanOrEqual(2 * DISPATCH_BUDGET_MS);
    const heard = log.filter((entry) => entry !== 'other work');
    expect(heard).toEqual(Array.from({ length: listeners }, (_, i) => [`a${i}`, `b${i}`]).flat());
  });

  it('cuts one listener’s share of a long backlog across turns too, in order', async () => {
    const local = new LocalListeners();
    const log: string[] = [];
    local.add('c', (p) => (busy(1), log.push(String(p))));
    for (let i = 0; i < 6; i++) local.dispatch('c', i, meta);
    setImmediate(() => log.push('other work'));
    await turns(20);
    expect(log.indexOf('other work')).toBeLessThanOrEqual(2 * DISPATCH_BUDGET_MS);
    expect(log.filter((entry) => entry !== 'other work')).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('gives each listener the backlog of its channel in one pass, in order, and only what was dispatched while it listened', async () => {
    const local = new LocalListeners();
    const log: string[] = [];
    local.add('c', (p) => log.push(`first:${String(p)}`));
    local.dispatch('c', 1, meta);
    local.add('d', (p) => log.push(`d:${String(p)}`));
    local.dispatch('d', 'x', meta);
    local.dispatch('c', 2, meta);
    local.add('c', (p) => log.push(`late:${String(p)}`));
    local.dispatch('c', 3, meta);
    await turns(3);
    // One pass over c's listeners carries 1, 2 and 3 (d's event, dispatched between, waits for it);
    // the listener added after 2 was dispatched hears only 3.
    expect(log).toEqual(['first:1', 'first:2', 'first:3', 'late:3', 'd:x']);
  });

  it('stops a pass for a listener that its own call removed, and caps a pass at MAX_BATCH events', async () => {
    const local = new LocalListeners();
    const log: string[] = [];
    const quitter: unknown[] = [];
    const { remove } = local.add('c', (p) => {
      quitter.push(p);
      remove();
    });
    local.add('c', (p) => log.push(`c${String(p)}`));
    local.add('e', (p) => log.push(`e${String(p)}`));
    const n = MAX_BATCH + 5;
    for (let i = 0; i < n; i++) {
      local.dispatch('c', i, meta);
      local.dispatch('e', i, meta);
    }
    await turns(20);
    expect(quitter).toEqual([0]);
    // Passes of MAX_BATCH events, taking turns with the other channel waiting among them.
    const run = (ch: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${ch}${from + i}`);
    expect(log).toEqual([...run('c', 0, MAX_BATCH), ...run('e', 0, MAX_BATCH), ...run('c', MAX_BATCH, n), ...run('e', MAX_BATCH, n)]);
  });

  it('skips a listener removed before its turn, and keeps going past one that throws', async () => {
    const local = new LocalListeners();
    const errors: unknown[] = [];
    const late = jest.fn();
    local.add('c', () => {
      throw new Error('boom');
    });
    for (let i = 0; i < 200; i++) local.add('c', () => {});
    const { remove } = local.add('c', late);
    const after = jest.fn();
    local.add('c', after);
    local.dispatch('c', 'x', meta, (e) => errors.push(e));
    remove();
    await turns(2);
    expect(late).not.toHaveBeenCalled();
    expect(after).toHaveBeenCalledWith('x', meta);
    expect(errors).toHaveLength(1);
  });
});

describe('MemoryPubSub', () => {
  it('delivers after the publish returns, only to the tenant’s own topic, with the publish time', async () => {
    const pubsub = new MemoryPubSub();
    const mine = jest.fn();
    const other = jest.fn();
    pubsub.subscribe('t1', 'topic', mine);
    pubsub.subscribe('t2', 'topic', other);
    const before = Date.now();
    await pubsub.publish('t1', 'topic', { a: 1 });
    expect(mine).not.toHaveBeenCalled();
    await turn();
    expect(mine).toHaveBeenCalledWith({ a: 1 }, { publishedAt: expect.any(Number) });
    expect(mine.mock.calls[0][1].publishedAt).toBeGreaterThanOrEqual(before);
    expect(other).not.toHaveBeenCalled();
    expect(channelOf('t1', 'topic')).not.toBe(channelOf('t2', 'topic'));
  });
});
