import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { FrameWriter, RUN_BYTES } from './frame-writer';
import { framePayload, textFrame } from './text-frame';

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

/** A real server-side socket and the real client connected to it, with the messages the client got. */
async function pair(options: ServerOptions = {}): Promise<{ server: WebSocket; client: WebSocket; received: string[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(wss);
  await once(wss, 'listening');
  const connected = once(wss, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  clients.push(client);
  const received: string[] = [];
  client.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    received.push(String(data));
  });
  const [server] = (await connected) as [WebSocket];
  await once(client, 'open');
  return { server, client, received };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

afterAll(async () => {
  for (const c of clients) c.terminate();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('textFrame', () => {
  it('frames texts of every length form (7-bit, 16-bit, 64-bit) and multi-byte characters as a ws client decodes them', async () => {
    const { server, received } = await pair();
    const writer = new FrameWriter();
    const texts = [
      '',
      'x'.repeat(125),
      'é'.repeat(63), // 126 bytes in 63 characters: the length is the bytes'
      'y'.repeat(126),
      'z'.repeat(65_535),
      '€'.repeat(21_846), // 65,538 bytes: past the 16-bit form by its bytes only
      JSON.stringify({ big: 'w'.repeat(300_000), emoji: '📈' }),
    ];
    for (const text of texts) writer.write(server, textFrame(text));
    await until(() => received.length === texts.length);
    expect(received).toEqual(texts);
    expect(framePayload(textFrame(texts[6])).toString()).toBe(texts[6]);
  });
});

describe('FrameWriter', () => {
  it('writes one Buffer to many sockets, in order with what ws sends itself', async () => {
    const pairs = await Promise.all([pair(), pair(), pair()]);
    const writer = new FrameWriter();
    const shared = textFrame('{"shared":true}');
    for (const { server } of pairs) {
      writer.write(server, shared);
      server.send('own');
      writer.write(server, shared);
    }
    for (const { received } of pairs) {
      await until(() => received.length === 3);
      expect(received).toEqual(['{"shared":true}', 'own', '{"shared":true}']);
    }
  });

  it('goes through ws while its sender holds a message back (compression), so the order stays', async () => {
    const { server, received } = await pair({ perMessageDeflate: { threshold: 0 } });
    const writer = new FrameWriter();
    const first = 'a'.repeat(100_000);
    server.send(first); // compressed asynchronously: ws's sender is busy with it
    writer.write(server, textFrame('second'));
    server.send('third');
    await until(() => received.length === 3);
    expect(received).toEqual([first, 'second', 'third']);
  });

  it('leaves what it wrote counted in bufferedAmount while the client does not read', async () => {
    const { server, client, received } = await pair();
    (client as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const writer = new FrameWriter();
    const frame = textFrame('p'.repeat(64 * 1024));
    let written = 0;
    while (server.bufferedAmount === 0 && written < 1000) {
      writer.write(server, frame);
      written++;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(server.bufferedAmount).toBeGreaterThan(0);
    (client as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => received.length === written);
    expect(server.bufferedAmount).toBe(0);
  });

  it('lets a run leave every RUN_BYTES, so a long backlog never sits corked against the slow consumer limit', async () => {
    const { server, received } = await pair();
    const tcp = (server as unknown as { _socket: { writableCorked: number; _writev: (...a: unknown[]) => unknown } })._socket;
    let writes = 0;
    const original = tcp._writev.bind(tcp);
    tcp._writev = (...args: unknown[]) => (writes++, original(...args));
    const writer = new FrameWriter();
    const frame = textFrame('q'.repeat(RUN_BYTES / 4 - 4)); // four frames make RUN_BYTES
    for (let i = 0; i < 12; i++) writer.write(server, frame);
    expect(writes).toBe(3);
    expect(tcp.writableCorked).toBe(0);
    await until(() => received.length === 12);
  });

  it('sends a socket’s run of frames in one system call, and uncorks it when another socket’s frames come or the task ends', async () => {
    const [a, b] = await Promise.all([pair(), pair()]);
    type Tcp = { writableCorked: number; _write: (...args: unknown[]) => unknown; _writev: (...args: unknown[]) => unknown };
    const tcp = (socket: WebSocket) => (socket as unknown as { _socket: Tcp })._socket;
    const calls = new Map<Tcp, number>();
    for (const { server } of [a, b]) {
      const t = tcp(server);
      calls.set(t, 0);
      for (const method of ['_write', '_writev'] as const) {
        const original = t[method].bind(t);
        t[method] = (...args: unknown[]) => (calls.set(t, calls.get(t)! + 1), original(...args));
      }
    }
    const writer = new FrameWriter();
    for (let i = 0; i < 5; i++) writer.write(a.server, textFrame(`a${i}`));
    a.server.send('own'); // what ws sends during the run joins it, in order
    expect(tcp(a.server).writableCorked).toBe(1);
    writer.write(b.server, textFrame('b0'));
    writer.write(b.server, textFrame('b1'));
    expect(tcp(a.server).writableCorked).toBe(0); // another socket's frame ended a's run
    expect(calls.get(tcp(a.server))).toBe(1); // six messages, one write to the TCP stream
    expect(tcp(b.server).writableCorked).toBe(1);
    await Promise.resolve(); // the end of the task
    expect(tcp(b.server).writableCorked).toBe(0);
    expect(calls.get(tcp(b.server))).toBe(1);
    await until(() => a.received.length === 6 && b.received.length === 2);
    expect(a.received).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'own']);
    expect(b.received).toEqual(['b0', 'b1']);
  });
});
