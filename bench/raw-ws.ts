import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** What a RawWebSocket tells its owner. */
export interface RawWebSocketHandlers {
  /** The handshake is done. */
  open(): void;
  /** A text message: its bytes are `data[start..end)` (valid until the handler returns). */
  text(data: Buffer, start: number, end: number): void;
  /** The connection ended: the close code the server sent (1006 when none). */
  close(code: number): void;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * A WebSocket client (RFC 6455) that does only what the live benches' subscribers need, at as
 * little CPU per message as a client can spend: it parses the server's frames in place in the
 * bytes read (no copy, no per-message Buffer, no UTF-8 check), hands text messages over as byte
 * ranges, answers pings, and sends masked text frames. It refuses what the server never sends
 * here (binary frames, compression). The bench measures the server, and the subscribers share its
 * 2 cores; `ws` spends about twice as much per message on the client side.
 */
export class RawWebSocket {
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString('base64');
  private opened = false;
  private ended = false;
  /** Bytes read and not yet parsed (a frame cut across reads, or the handshake). */
  private rest: Buffer | null = null;
  /** A text message arriving in fragments. */
  private fragments: Buffer[] | null = null;

  constructor(
    url: string,
    protocol: string,
    private readonly on: RawWebSocketHandlers,
  ) {
    const u = new URL(url);
    this.socket = connect({ host: u.hostname, port: Number(u.port), noDelay: true });
    this.socket.on('connect', () =>
      this.socket.write(
        `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      ),
    );
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => this.end(1006));
    this.socket.on('close', () => this.end(1006));
  }

  /** Sends a text message (masked, as a client must). */
  send(text: string): void {
    this.frame(0x1, Buffer.from(text));
  }

  /** Drops the connection. */
  terminate(): void {
    this.socket.destroy();
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.on.close(code);
  }

  private read(chunk: Buffer): void {
    let data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    if (!this.opened) {
      const head = data.indexOf('\r\n\r\n');
      if (head < 0) return void (this.rest = data);
      const response = data.toString('latin1', 0, head);
      const accept = createHash('sha1').update(this.key + GUID).digest('base64');
      if (!/^HTTP\/1\.1 101 /.test(response) || !response.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
        return this.end(1002);
      }
      this.opened = true;
      this.on.open();
      data = data.subarray(head + 4);
    }
    let at = 0;
    while (!this.ended) {
      if (data.length - at < 2) break;
      const opcode = data[at] & 0x0f;
      const fin = (data[at] & 0x80) !== 0;
      if (data[at] & 0x70 || data[at + 1] & 0x80) return this.end(1002); // extensions or a masked server frame
      let length = data[at + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (data.length - at < header + length) break;
      const start = at + header;
      at = start + length;
      this.frameIn(opcode, fin, data, start, at);
    }
    if (at < data.length && !this.ended) this.rest = Buffer.from(data.subarray(at));
  }

  private frameIn(opcode: number, fin: boolean, data: Buffer, start: number, end: number): void {
    if (opcode === 0x1 && fin) return this.on.text(data, start, end);
    if (opcode === 0x1 || opcode === 0x0) {
      (this.fragments ??= []).push(Buffer.from(data.subarray(start, end)));
      if (!fin) return;
      const message = Buffer.concat(this.fragments);
      this.fragments = null;
      return this.on.text(message, 0, message.length);
    }
    if (opcode === 0x9) return this.frame(0xa, data.subarray(start, end)); // ping: pong
    if (opcode === 0xa) return;
    if (opcode === 0x8) {
      const code = end - start >= 2 ? data.readUInt16BE(start) : 1005;
      this.frame(0x8, data.subarray(start, Math.min(end, start + 2)));
      return this.end(code);
    }
    this.end(1003); // binary or unknown
  }

  private frame(opcode: number, payload: Buffer): void {
    if (this.ended) return;
    const length = payload.length;
    const header = length < 126 ? 6 : length < 65536 ? 8 : 14;
    const out = Buffer.allocUnsafe(header + length);
    out[0] = 0x80 | opcode;
    if (length < 126) out[1] = 0x80 | length;
    else if (length < 65536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(length, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeBigUInt64BE(BigInt(length), 2);
    }
    const mask = randomBytes(4);
    mask.copy(out, header - 4);
    for (let i = 0; i < length; i++) out[header + i] = payload[i] ^ mask[i & 3];
    this.socket.write(out);
  }
}
