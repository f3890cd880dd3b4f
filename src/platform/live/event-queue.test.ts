import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('hands pushed items to the reader in order, waiting reads included', async () => {
    const q = new EventQueue<number>({ maxQueued: 10 });
    const pending = q.next();
    q.push(1);
    q.push(2);
    expect(await pending).toEqual({ value: 1, done: false });
    expect(await q.next()).toEqual({ value: 2, done: false });
  });

  it('overflows instead of growing past its bound: ends, calls onOverflow and onEnd once', () => {
    const onOverflow = jest.fn();
    const onEnd = jest.fn();
    const q = new EventQueue<number>({ maxQueued: 3, onOverflow, onEnd });
    for (let i = 0; i < 10; i++) q.push(i);
    expect(onOverflow).toHaveBeenCalledTimes(1);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(q.size).toBe(0);
  });

  it('ends pending reads on return, and releases once', async () => {
    const onEnd = jest.fn();
    const q = new EventQueue<number>({ maxQueued: 3, onEnd });
    const pending = q.next();
    await q.return();
    await q.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    q.push(1); // ignored once ended
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('delivers what was queued before an error, then the error', async () => {
    const q = new EventQueue<number>({ maxQueued: 3 });
    q.push(1);
    q.fail(new Error('gone'));
    expect(await q.next()).toEqual({ value: 1, done: false });
    await expect(q.next()).rejects.toThrow('gone');
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a waiting read when it fails', async () => {
    const q = new EventQueue<number>({ maxQueued: 3 });
    const pending = q.next();
    q.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  describe('pipeTo', () => {
    const sinkOf = () => {
      const seen: string[] = [];
      return { seen, sink: { push: (n: number) => seen.push(`item ${n}`), end: () => seen.push('end'), fail: (e: unknown) => seen.push(`fail ${String(e)}`) } };
    };

    it('hands over what was queued, then each item as it is pushed, then the end (once)', () => {
      const onEnd = jest.fn();
      const q = new EventQueue<number>({ maxQueued: 2, onEnd });
      q.push(1);
      q.push(2);
      const { seen, sink } = sinkOf();
      q.pipeTo(sink);
      for (let i = 3; i < 10; i++) q.push(i); // past maxQueued: nothing waits in the queue any more
      q.end();
      q.end();
      q.push(10);
      expect(seen).toEqual(['item 1', 'item 2', 'item 3', 'item 4', 'item 5', 'item 6', 'item 7', 'item 8', 'item 9', 'end']);
      expect(onEnd).toHaveBeenCalledTimes(1);
    });

    it('passes on a failure after the items queued before it, and a failure after piping', () => {
      const before = new EventQueue<number>({ maxQueued: 10 });
      before.push(1);
      before.fail('boom');
      const first = sinkOf();
      before.pipeTo(first.sink);
      expect(first.seen).toEqual(['item 1', 'fail boom', 'end']);
      const after = new EventQueue<number>({ maxQueued: 10 });
      const second = sinkOf();
      after.pipeTo(second.sink);
      after.push(1);
      after.fail('later');
      after.push(2);
      expect(second.seen).toEqual(['item 1', 'fail later', 'end']);
    });

    it('tells a sink piped to an ended queue that it has ended', () => {
      const q = new EventQueue<number>({ maxQueued: 10 });
      q.end();
      const { seen, sink } = sinkOf();
      q.pipeTo(sink);
      expect(seen).toEqual(['end']);
    });
  });
});
