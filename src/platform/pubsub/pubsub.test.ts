import { MemoryPubSub } from './memory-pubsub';
import { channelOf, DISPATCH_CHUNK, LocalListeners, type EventMeta } from './pubsub';

const meta: EventMeta = { publishedAt: 1 };
const turn = () => new Promise((r) => setImmediate(r));
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

  it('reaches thousands of listeners a chunk per turn, each hearing the events in order', async () => {
    const local = new LocalListeners();
    const n = DISPATCH_CHUNK * 3 + 7;
    const heard = Array.from({ length: n }, () => [] as unknown[]);
    heard.forEach((list) => local.add('c', (p) => list.push(p)));
    local.dispatch('c', 'one', meta);
    local.dispatch('c', 'two', meta);
    expect(heard[0]).toEqual(['one', 'two']); // the first chunk at once
    expect(heard[n - 1]).toEqual([]); // the rest in later turns
    await turns(5);
    for (const list of heard) expect(list).toEqual(['one', 'two']);
  });

  it('skips a listener removed before its turn, and keeps going past one that throws', async () => {
    const local = new LocalListeners();
    const errors: unknown[] = [];
    const late = jest.fn();
    local.add('c', () => {
      throw new Error('boom');
    });
    for (let i = 0; i < DISPATCH_CHUNK; i++) local.add('c', () => {});
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
