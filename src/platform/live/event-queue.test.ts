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
});
