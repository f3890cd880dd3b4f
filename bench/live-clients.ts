import { Histogram } from './live-histogram.js';
import { paced, recordPoint } from './live-writes.js';
import { RawWebSocket } from './raw-ws.js';

/**
 * The subscribers of the live benches, in a process of their own (started with `fork` by a
 * live-*.bench.ts): bare graphql-transport-ws connections, so the client side costs little.
 * Protocol over IPC: {cmd: 'open'} -> {ev: 'opened'}; {cmd: 'write'} -> {ev: 'written'}; {cmd: 'reset'};
 * {cmd: 'report'} -> {ev: 'report'}; {cmd: 'count'} -> {ev: 'count'}; {cmd: 'close'}.
 */

export interface OpenCommand {
  cmd: 'open';
  /** Subscribers per server: one connection each. */
  groups: Array<{ url: string; count: number }>;
  authorization: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Keep each subscriber's last payload, for `lastPayloads` (a copy per message: only benches that read them ask). */
  keepLast?: boolean;
}

export interface ClientReport {
  ev: 'report';
  /** Results received since the last reset, per group. */
  received: number[];
  /** Commit-to-client latency in ms (from `committedAt` in the payload), per group: quantiles and max. */
  latency: Array<{ p50: number; p90: number; p99: number; max: number; n: number }>;
  /** The latency histograms themselves (sparse [0.1 ms step, count]), to merge the reports of several processes. */
  histograms: Array<Array<[number, number]>>;
  /** Errors and closes seen. */
  errors: string[];
  /** The distinct last payloads, as JSON (for benches whose subscribers must all end on the same value; only with `keepLast`). */
  lastPayloads: string[];
  /** Epoch ms of the last result received (0: none). */
  lastAt: number;
}

/** Writes one point every `everyMs` for `durationMs` (the writer of a bench runs in such a process too). */
export interface WriteCommand {
  cmd: 'write';
  url: string;
  token: string;
  metricKey: string;
  everyMs: number;
  durationMs: number;
}

type Command = OpenCommand | WriteCommand | { cmd: 'reset' } | { cmd: 'report' } | { cmd: 'count' } | { cmd: 'close' };

const sockets: RawWebSocket[] = [];
let histograms: Histogram[] = [];
let received: number[] = [];
let errors: string[] = [];
/** Each socket's last `next` message. */
const last = new Map<RawWebSocket, Buffer>();
/** Epoch ms of the last `next` received. */
let lastAt = 0;

/** The start of every `next` message of subscription "1", as the server (and graphql-ws) write it. */
const NEXT_PREFIX = Buffer.from('{"id":"1","type":"next","payload":');
const ERRORS = Buffer.from('{"errors":');
const COMMITTED_AT = Buffer.from('"committedAt":"');
function startsWith(data: Buffer, prefix: Buffer, at: number): boolean {
  return data.length >= at + prefix.length && data.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

/** The number written at data[at..at+n) in ASCII digits. */
function digits(data: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + data[i] - 48;
  return v;
}

/**
 * `committedAt` of a `next` message, read off its bytes: the last such field (the bench's
 * selection ends with it), as `toISOString` writes it (`2026-12-01T10:00:00.000Z`), else by Date.parse.
 */
function committedAt(data: Buffer, start: number, end: number): number | null {
  const at = data.lastIndexOf(COMMITTED_AT, end);
  if (at < start) return null;
  const from = at + COMMITTED_AT.length;
  if (data[from + 10] === 0x54 && data[from + 19] === 0x2e && data[from + 23] === 0x5a && data[from + 24] === 0x22) {
    const day = Date.UTC(digits(data, from, 4), digits(data, from + 5, 2) - 1, digits(data, from + 8, 2));
    return day + ((digits(data, from + 11, 2) * 60 + digits(data, from + 14, 2)) * 60 + digits(data, from + 17, 2)) * 1000 + digits(data, from + 20, 3);
  }
  return Date.parse(data.toString('latin1', from, data.indexOf(0x22, from)));
}

async function open(c: OpenCommand): Promise<void> {
  histograms = c.groups.map(() => new Histogram());
  received = c.groups.map(() => 0);
  const opening: Array<Promise<void>> = [];
  c.groups.forEach((group, g) => {
    const url = `${group.url.replace(/^http/, 'ws')}/graphql`;
    for (let i = 0; i < group.count; i++) {
      opening.push(
        new Promise<void>((resolve, reject) => {
          // The bench measures the server: its subscribers do as little as a client can per
          // message (RawWebSocket; no JSON parse of a `next`: count it, read its committedAt).
          let socket: RawWebSocket | undefined = undefined;
          const send = (message: unknown) => socket!.send(JSON.stringify(message));
          socket = new RawWebSocket(url, 'graphql-transport-ws', {
            open: () => send({ type: 'connection_init', payload: { authorization: c.authorization } }),
            text: (data, start, end) => {
              const now = Date.now();
              if (startsWith(data, NEXT_PREFIX, start)) {
                received[g]++;
                lastAt = now;
                const at = committedAt(data, start, end);
                if (at !== null) histograms[g].add(now - at);
                if (c.keepLast) last.set(socket!, Buffer.from(data.subarray(start, end)));
                if (startsWith(data, ERRORS, start + NEXT_PREFIX.length)) errors.push(data.toString('utf8', start, end));
                return;
              }
              const text = data.toString('utf8', start, end);
              const m = JSON.parse(text) as { type: string; payload?: unknown };
              if (m.type === 'next') errors.push(`unexpected next: ${text}`);
              else if (m.type === 'connection_ack') {
                send({ id: '1', type: 'subscribe', payload: { query: c.query, variables: c.variables } });
                resolve();
              } else if (m.type === 'ping') send({ type: 'pong' });
              else if (m.type === 'error') errors.push(JSON.stringify(m.payload));
            },
            close: (code) => {
              if (code !== 1000 && code !== 1001) errors.push(`closed ${code}`);
              reject(new Error(`closed ${code}`));
            },
          });
          sockets.push(socket);
        }),
      );
    }
  });
  await Promise.all(opening);
}

function report(): ClientReport {
  return {
    ev: 'report',
    received,
    latency: histograms.map((h) => h.summary()),
    histograms: histograms.map((h) => h.sparse()),
    errors: errors.slice(0, 20),
    lastPayloads: [...new Set([...last.values()].map((raw) => JSON.stringify((JSON.parse(raw.toString()) as { payload: unknown }).payload)))],
    lastAt,
  };
}

process.on('message', (command: Command) => {
  const reply = (m: unknown) => process.send!(m);
  if (command.cmd === 'open') {
    open(command).then(
      () => reply({ ev: 'opened', n: sockets.length }),
      (e: unknown) => reply({ ev: 'failed', error: String(e) }),
    );
  } else if (command.cmd === 'write') {
    const started = Date.now();
    paced(command.everyMs, command.durationMs, (i) => recordPoint(command.url, command.token, command.metricKey, i)).then((r) =>
      reply({ ev: 'written', ...r, seconds: (Date.now() - started) / 1000 }),
    );
  } else if (command.cmd === 'reset') {
    histograms = histograms.map(() => new Histogram());
    received = received.map(() => 0);
    lastAt = 0;
    errors = [];
    last.clear();
    reply({ ev: 'reset' });
  } else if (command.cmd === 'report') reply(report());
  else if (command.cmd === 'count') reply({ ev: 'count', received: received.reduce((a, b) => a + b, 0) });
  else if (command.cmd === 'close') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
