import { Agent, createServer as createHttpServer, request, type Server } from 'node:http';
import { Client } from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/data-source.js';
import { entities } from '../src/entities.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { createLogger } from '../src/platform/logger.js';
import { verifySessionToken } from '../src/platform/auth/session-tokens.js';
import { createServer, type RapportServer } from '../src/server.js';
import type { DataSource } from 'typeorm';

const BENCH_SECRET = 'bench-secret-that-is-long-enough-for-hs256';

/** A fresh, migrated database for one bench run, on DATABASE_URL's server or an embedded one. */
export interface BenchDatabase {
  url: string;
  ds: DataSource;
  close(): Promise<void>;
}

function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates `rapport_bench_<name>` from empty, migrates it, and drops it on close. */
export async function benchDatabase(name: string): Promise<BenchDatabase> {
  const config = loadConfig(process.env, { sessionSecret: BENCH_SECRET });
  let base = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!base) {
    const embedded = await startEmbeddedPostgres(config.dataDir, createLogger('warn'));
    base = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const db = `rapport_bench_${name}_${process.pid}`;
  const admin = new Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  const url = withDatabase(base, db);
  const ds = await openDatabase(url, 10, entities);
  return {
    url,
    ds,
    close: async () => {
      await ds.destroy();
      // BENCH_KEEP=1 keeps the database for EXPLAIN after the run.
      if (!process.env.BENCH_KEEP) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
      if (stopEmbedded) await stopEmbedded();
    },
  };
}

/** A server on a free port over the bench database. */
export async function benchServer(ds: DataSource): Promise<RapportServer> {
  const config = loadConfig(process.env, { port: 0, logLevel: 'warn', sessionSecret: BENCH_SECRET });
  return createServer(config, { ds });
}

/** Runs `fn` `runs` times after `warmup` runs and returns the durations in ms, sorted. */
export async function timeRuns(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/** The q-quantile (0..1) of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Rounds to 3 significant decimals for printing. */
export function round(n: number, digits = 3): number {
  return Number(n.toFixed(digits));
}

/** Prints the bench's figures as one JSON object on the last line. */
export function report(figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** Posts a GraphQL operation and returns its data, throwing on errors. */
export async function gql<T = any>(url: string, token: string | undefined, query: string, variables?: unknown): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * Posts `body` to `url`/graphql from `connections` keep-alive connections for `ms`; each answer must
 * be 200 and pass `ok`. Throughput and request latencies in ms, sorted.
 */
export async function load(
  url: string,
  token: string,
  body: string,
  connections: number,
  ms: number,
  ok: (text: string) => boolean,
): Promise<{ perSecond: number; latencies: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(`${url}/graphql`);
  const latencies: number[] = [];
  const until = Date.now() + ms;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) };
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200 || !ok(text)) return reject(new Error(`bad answer ${res.statusCode}: ${text.slice(0, 500)}`));
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) await one();
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  return { perSecond: latencies.length / elapsed, latencies: latencies.sort((a, b) => a - b) };
}

/**
 * A hand-written baseline service: node http, verifies the session token as Rapport does (HS256,
 * same checks), then answers with the JSON text `answer` gives for the token's organization.
 */
export function handWrittenService(secret: string, answer: (organizationId: string) => Promise<string>): Server {
  return createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const claims = token ? await verifySessionToken(secret, token) : null;
        if (!claims) return void res.writeHead(401).end();
        const body = await answer(claims.organizationId);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      })().catch(() => res.writeHead(500).end());
    });
  });
}
