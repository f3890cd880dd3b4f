import WebSocket from 'ws';
import { Histogram } from './live-histogram.js';
import { paced, recordPoint } from './live-writes.js';

/**
 * The subscribers of the live benches, in a process of their own (started with `fork` by a
 * live-*.bench.ts): bare graphql-transport-ws connections, so the client side costs little.
 * Protocol over IPC: {cmd: 'open'} -> {ev: 'opened'}; {cmd: 'write'} -> {ev: 'written'}; {cmd: 'reset'};
 * {cmd: 'report'} -> {ev: 'report'}; {cmd: 'close'}.
 */

export interface OpenCommand {
  cmd: 'open';
  /** Subscribers per server: one connection each. */
  groups: Array<{ url: string; count: number }>;
  authorization: string;
  query: string;
  variables?: Record<string, unknown>;
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
  /** The distinct last payloads, as JSON (for benches whose subscribers must all end on the same value). */
  lastPayloads: string[];
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

type Command = OpenCommand | WriteCommand | { cmd: 'reset' } | { cmd: 'report' } | { cmd: 'close' };

const sockets: WebSocket[] = [];
let histograms: Histogram[] = [];
let received: number[] = [];
let errors: string[] = [];
const last = new Map<WebSocket, string>();

function committedAt(payload: unknown): number | null {
  const data = (payload as { data?: Record<string, { committedAt?: string }> }).data;
  const first = data && Object.values(data)[0];
  return first?.committedAt ? Date.parse(first.committedAt) : null;
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
          const ws = new WebSocket(url, 'graphql-transport-ws');
          sockets.push(ws);
          ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: c.authorization } })));
          ws.on('message', (raw) => {
            const now = Date.now();
            const m = JSON.parse(String(raw)) as { type: string; payload?: unknown };
            if (m.type === 'next') {
              received[g]++;
              const at = committedAt(m.payload);
              if (at !== null) histograms[g].add(now - at);
              last.set(ws, JSON.stringify(m.payload));
              if ((m.payload as { errors?: unknown[] }).errors) errors.push(JSON.stringify(m.payload));
            } else if (m.type === 'connection_ack') {
              ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: c.query, variables: c.variables } }));
              resolve();
            } else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
            else if (m.type === 'error') errors.push(JSON.stringify(m.payload));
          });
          ws.on('close', (code) => {
            if (code !== 1000 && code !== 1001) errors.push(`closed ${code}`);
            reject(new Error(`closed ${code}`));
          });
          ws.on('error', (e) => errors.push(String(e)));
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
    lastPayloads: [...new Set(last.values())],
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
    errors = [];
    last.clear();
    reply({ ev: 'reset' });
  } else if (command.cmd === 'report') reply(report());
  else if (command.cmd === 'close') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
