import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { EventQueue, type QueueSink } from './event-queue.js';
import { FrameWriter } from './frame-writer.js';
import { LiveCloseCode, type LiveConnection } from './live-connection.js';
import type { LiveRequestContext } from './live-context.js';
import { sharedResults } from './shared-execution.js';
import { textFrame } from './text-frame.js';

const DONE: IteratorResult<never> = { value: undefined, done: true };

/** What the fan-out asks of the live server. */
export interface FanOutHooks {
  /** A result with errors as this subscriber may see it (masked, with its request id). */
  publicResult(args: ExecutionArgs, result: ExecutionResult): unknown;
  /** An event's execution finished with these arguments: end the transaction it may have opened. */
  executed(args: ExecutionArgs): void;
}

/**
 * One execution of one event for one share key: its result and, when it has no errors, the
 * result's JSON, serialised once for every subscriber of the key.
 */
class SharedFrame {
  ready = false;
  result?: ExecutionResult;
  /** `JSON.stringify(result)`: the `payload` of every subscriber's `next` message. */
  json?: string;
  /** Subscribers waiting for this frame before they can write it and what queued behind it. */
  readonly waiting: FanOutMember[] = [];
  /** The WebSocket frame of each subscription id's `next` message, built by the first subscriber with that id. */
  private readonly frames = new Map<string, Buffer>();

  settle(result: ExecutionResult): void {
    this.result = result;
    if (!result.errors?.length) this.json = JSON.stringify(result);
    this.ready = true;
    for (const member of this.waiting.splice(0)) member.flush();
  }

  /** The text frame of `{"id":<id>,"type":"next","payload":<json>}` (`prefix` is all before the payload); only when `json` is set. */
  frameFor(id: string, prefix: string): Buffer {
    let frame = this.frames.get(id);
    if (!frame) this.frames.set(id, (frame = textFrame(prefix + this.json! + '}')));
    return frame;
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The live fan-out: every subscriber of the same share key (same tenant and scopes, same document
 * and variables, see LiveHooks.prepare) gets each event through one execution and one
 * `JSON.stringify` between them, and its `next` message is written to its socket synchronously,
 * in the loop that dispatches the event, as `{"id":<its id>,"type":"next","payload":<shared JSON>}`
 * (the bytes graphql-ws would send), framed once per subscription id and the same Buffer written
 * to every socket (FrameWriter). graphql-ws still runs the subscription's life (subscribe,
 * complete, errors, the end of the stream) but no longer iterates it per event: the subscription
 * it sees is a FanOutMember, parked until the stream ends.
 *
 * Applies to subscriptions whose source is an EventQueue (every feed's `live.queue()`); any other
 * source falls back to graphql-ws's own iteration with a shared execution per event.
 */
export class FanOut {
  /** Frames by event, then by share key; events are shared objects, so frames go with them. */
  private readonly byEvent = new WeakMap<object, Map<string, SharedFrame>>();

  /** Writes the frames to the sockets (a socket's consecutive frames in one system call, see FrameWriter). */
  readonly writer = new FrameWriter();

  constructor(private readonly hooks: FanOutHooks) {}

  /** graphql-ws's `subscribe`: the source stream, then either a fan-out member or a shared-execution iterator. */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in Object(stream))) return stream as ExecutionResult;
    const context = args.contextValue as LiveRequestContext;
    const shareKey = context.shareKey ?? null;
    if (stream instanceof EventQueue && shareKey !== null && context.live) return new FanOutMember(this, stream, args, context.live, shareKey);
    return sharedResults(stream as AsyncIterable<unknown>, args, shareKey);
  }

  /** The frame of `event` for `shareKey`, executed with `args` if no subscriber of the key has asked yet. */
  frameOf(event: unknown, shareKey: string, args: ExecutionArgs): SharedFrame {
    if (typeof event !== 'object' || event === null) return this.execute(event, args);
    let frames = this.byEvent.get(event);
    if (!frames) this.byEvent.set(event, (frames = new Map()));
    let frame = frames.get(shareKey);
    if (!frame) frames.set(shareKey, (frame = this.execute(event, args)));
    return frame;
  }

  publicResult(args: ExecutionArgs, result: ExecutionResult): unknown {
    return this.hooks.publicResult(args, result);
  }

  private execute(event: unknown, args: ExecutionArgs): SharedFrame {
    const frame = new SharedFrame();
    const failed = (error: unknown): ExecutionResult => ({ errors: [new GraphQLError('Internal server error', { originalError: error instanceof Error ? error : new Error(String(error)) })] });
    let result: ExecutionResult | Promise<ExecutionResult>;
    try {
      result = execute({ ...args, rootValue: event });
    } catch (error) {
      result = failed(error);
    }
    if (!isPromise(result)) {
      this.hooks.executed(args);
      frame.settle(result);
      return frame;
    }
    result.then(
      (r) => {
        this.hooks.executed(args);
        frame.settle(r);
      },
      (error: unknown) => {
        this.hooks.executed(args);
        frame.settle(failed(error));
      },
    );
    return frame;
  }
}

/**
 * One subscriber of the fan-out. Its source queue is piped into it: each event becomes a frame
 * (shared with the other subscribers of its key) written to the socket at once, or, while an
 * earlier frame is still executing, kept in order behind it. To graphql-ws it is an iterator whose
 * first `next()` starts the piping and settles only when the stream ends (done, or the source's
 * error), and whose `return()` (complete, socket closed, connection dropped) stops it at once.
 *
 * Backpressure, as on the iterated path: a subscriber whose socket holds more than the
 * connection's `maxBufferedBytes` unsent is closed with 4413, and so is one with more than
 * `maxQueuedEvents` frames waiting for executions; the writes to the others never wait for it.
 */
export class FanOutMember implements AsyncIterableIterator<ExecutionResult>, QueueSink<unknown> {
  private id = '';
  private prefix = '';
  private readonly backlog: SharedFrame[] = [];
  private piped = false;
  private stopped = false;
  /** How the source ended, once it has: applied when the backlog is written. */
  private outcome?: { error?: unknown; failed: boolean };
  private parked?: { resolve: (r: IteratorResult<ExecutionResult>) => void; reject: (e: unknown) => void };

  constructor(
    private readonly fanOut: FanOut,
    private readonly source: EventQueue<unknown>,
    private readonly args: ExecutionArgs,
    private readonly live: LiveConnection,
    private readonly shareKey: string,
  ) {}

  /** Gives it graphql-ws's id of the subscription (known once the operation has started). */
  identify(id: string): void {
    this.id = id;
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.stopped) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.parked = { resolve, reject };
      if (this.piped) return;
      this.piped = true;
      this.source.pipeTo(this);
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.stop();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.stop();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** An event from the source. */
  push(event: unknown): void {
    if (this.stopped) return;
    const frame = this.fanOut.frameOf(event, this.shareKey, this.args);
    if (!this.backlog.length && frame.ready) return this.write(frame);
    if (this.backlog.length >= this.live.limits.maxQueuedEvents) return this.live.close(LiveCloseCode.SlowConsumer, 'Slow consumer: too many events waiting');
    this.backlog.push(frame);
    if (!frame.ready) frame.waiting.push(this);
  }

  end(): void {
    this.outcome ??= { failed: false };
    if (!this.backlog.length) this.settle();
  }

  fail(error: unknown): void {
    this.outcome ??= { error, failed: true };
    if (!this.backlog.length) this.settle();
  }

  /** Writes the frames at the head of the backlog that are ready (called when one settles). */
  flush(): void {
    while (this.backlog.length && this.backlog[0].ready) this.write(this.backlog.shift()!);
    if (!this.backlog.length && this.outcome) this.settle();
  }

  private write(frame: SharedFrame): void {
    if (this.stopped) return;
    const live = this.live;
    if (live.overloaded()) return live.close(LiveCloseCode.SlowConsumer, 'Slow consumer: send buffer full');
    const socket = live.socket;
    if (socket.readyState !== socket.OPEN) return;
    const bytes =
      frame.json !== undefined
        ? frame.frameFor(this.id, this.prefix)
        : textFrame(JSON.stringify({ id: this.id, type: 'next', payload: this.fanOut.publicResult(this.args, frame.result!) }));
    this.fanOut.writer.write(socket, bytes);
  }

  /** The source ended and everything before its end is written: graphql-ws's iteration ends. */
  private settle(): void {
    const parked = this.parked;
    const outcome = this.outcome!;
    this.parked = undefined;
    this.stopped = true;
    if (!parked) return;
    if (outcome.failed) parked.reject(outcome.error);
    else parked.resolve(DONE);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.backlog.length = 0;
    void this.source.return();
    this.parked?.resolve(DONE);
    this.parked = undefined;
  }
}
