import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { framePayload } from './text-frame.js';
import { DISPATCH_BUDGET_MS } from '../pubsub/pubsub.js';

/** Options of a FrameWriter. */
export interface FrameWriterOptions {
  /** How long a socket stays corked after its first write, so that later ones share its system call (ms, default 10). */
  windowMs?: number;
  /** Longest a turn of the event loop spends uncorking sockets before it yields (ms, default DISPATCH_BUDGET_MS). */
  budgetMs?: number;
}

/** What of ws's internals the writer reads: its TCP socket and its sender's queue (ws 8). */
interface WsInternals {
  _socket?: Writable & { destroyed: boolean };
  _sender?: { _state: number; _queue: unknown[]; _firstFragment: boolean };
}

/**
 * Writes prebuilt text frames to WebSocket connections. A frame (see textFrame) is written as it
 * is to the connection's TCP stream, the same Buffer for every socket, when ws's own sender has
 * nothing waiting (no compression, no fragment in progress, nothing queued), so that the bytes
 * still leave in the order they were sent; otherwise it goes through `ws.send` with its payload.
 * Either way `ws.bufferedAmount` counts it (it reads the TCP stream's buffer), so the slow consumer
 * rule sees it.
 *
 * Each TCP socket written to is corked for `windowMs`: every message written to it meanwhile, and
 * ws's own (a close frame included), leaves in one system call, which is most of a delivery's
 * cost. The sockets are uncorked in the order they were corked, for at most `budgetMs` per turn of
 * the event loop, so that a flush of thousands of sockets never keeps requests waiting.
 */
export class FrameWriter {
  private readonly windowMs: number;
  private readonly budgetMs: number;
  /** Sockets corked by this writer (each exactly once), waiting for their flush. */
  private readonly corked = new Set<Writable>();
  /** Sockets corked since the last flush began, in order. */
  private waiting: Writable[] = [];
  /** The sockets of the flush under way, and how far it got. */
  private flushing: Writable[] = [];
  private flushed = 0;
  private timer?: NodeJS.Timeout;
  private flushScheduled = false;

  constructor(options: FrameWriterOptions = {}) {
    this.windowMs = options.windowMs ?? 10;
    this.budgetMs = options.budgetMs ?? DISPATCH_BUDGET_MS;
  }

  /** Writes `frame` to `socket` (which must be open). */
  write(socket: WebSocket, frame: Buffer): void {
    const { _socket: tcp, _sender: sender } = socket as unknown as WsInternals;
    if (tcp && !tcp.destroyed) this.cork(tcp);
    if (tcp && sender && sender._state === 0 && sender._queue.length === 0 && sender._firstFragment) tcp.write(frame);
    else socket.send(framePayload(frame), { binary: false });
  }

  /** Uncorks every socket now (server shutdown). */
  flushAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const tcp of this.corked) tcp.uncork();
    this.corked.clear();
    this.waiting = [];
    this.flushing = [];
    this.flushed = 0;
  }

  private cork(tcp: Writable): void {
    if (this.corked.has(tcp)) return;
    tcp.cork();
    this.corked.add(tcp);
    this.waiting.push(tcp);
    if (!this.timer) this.timer = setTimeout(this.startFlush, this.windowMs);
  }

  private readonly startFlush = (): void => {
    this.timer = undefined;
    // A flush still under way (a larger one than a turn's budget) takes this window's sockets after its own.
    this.flushing = this.flushed < this.flushing.length ? this.flushing.slice(this.flushed).concat(this.waiting) : this.waiting;
    this.flushed = 0;
    this.waiting = [];
    if (!this.flushScheduled) this.flush();
  };

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const deadline = performance.now() + this.budgetMs;
    const list = this.flushing;
    while (this.flushed < list.length) {
      const tcp = list[this.flushed++];
      this.corked.delete(tcp);
      tcp.uncork();
      if (this.flushed < list.length && performance.now() >= deadline) {
        this.flushScheduled = true;
        setImmediate(this.flush);
        return;
      }
    }
    this.flushing = [];
    this.flushed = 0;
  };
}
