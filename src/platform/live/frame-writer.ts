import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { framePayload } from './text-frame.js';

/** Most bytes a socket's run keeps corked before they leave (a system call per 64 KiB is cheap). */
export const RUN_BYTES = 64 * 1024;

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
 * A socket's TCP stream is corked from its first frame until a frame for another socket comes, the
 * current macrotask ends (a microtask), or RUN_BYTES are corked: the frames a socket gets one after
 * another, which is how the dispatch queue hands a listener its channel's backlog (see
 * DispatchQueue), and whatever ws writes meanwhile leave in one system call, in order. A system
 * call per socket is most of a delivery's cost, so under load the batch grows with the backlog;
 * with no backlog a frame leaves at once, without waiting for a timer. The byte bound keeps what
 * `bufferedAmount` counts for a client that reads (corked bytes included) far below the slow
 * consumer limit, however large the backlog a pass carries.
 */
export class FrameWriter {
  /** The TCP stream corked for the run of frames under way, and the bytes written to it in the run. */
  private current?: Writable;
  private runBytes = 0;
  private releaseQueued = false;

  /** Writes `frame` to `socket` (which must be open). */
  write(socket: WebSocket, frame: Buffer): void {
    const { _socket: tcp, _sender: sender } = socket as unknown as WsInternals;
    if (tcp && !tcp.destroyed && tcp !== this.current) {
      this.release();
      tcp.cork();
      this.current = tcp;
      if (!this.releaseQueued) {
        this.releaseQueued = true;
        queueMicrotask(this.endOfTask);
      }
    }
    if (tcp && sender && sender._state === 0 && sender._queue.length === 0 && sender._firstFragment) tcp.write(frame);
    else socket.send(framePayload(frame), { binary: false });
    if (tcp === this.current && (this.runBytes += frame.length) >= RUN_BYTES) this.release();
  }

  /** Uncorks the socket of the run under way now (server shutdown: the close frames leave at once). */
  flushAll(): void {
    this.release();
  }

  private release(): void {
    const tcp = this.current;
    this.current = undefined;
    this.runBytes = 0;
    tcp?.uncork();
  }

  private readonly endOfTask = (): void => {
    this.releaseQueued = false;
    this.release();
  };
}
