import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { loadConfig } from '../src/config.js';
import { createServer } from '../src/server.js';
import { benchDatabase, gql, handWrittenService, load as loadWith, quantile, report, round } from './support.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256';
const QUERY = '{ viewer { organization { id name } } }';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/**
 * The hand-written service: node http + pg, verifies the same session token (HS256 JWT, same
 * checks) and reads the same row in one statement.
 */
function handWritten(pool: Pool): Server {
  return handWrittenService(SECRET, async (organizationId) => {
    const { rows } = await pool.query('SELECT id, name FROM organizations WHERE id = $1', [organizationId]);
    return JSON.stringify({ data: { viewer: { organization: rows[0] } } });
  });
}

/** Posts QUERY from `connections` keep-alive connections for `ms`. */
function load(url: string, token: string, connections: number, ms: number) {
  return loadWith(url, token, JSON.stringify({ query: QUERY }), connections, ms, (text) => text.includes('"organization":{"id"'));
}

/**
 * `{ viewer { organization { id name } } }` with a session token over HTTP, Rapport against a
 * hand-written node http + pg handler in the same process (same token verification, same row),
 * each loaded by the same keep-alive client for `--seconds`, alternating twice.
 * Options: --connections N (10), --seconds N (5), --memory-seconds N (0: off; else a Rapport run of
 * that length sampling RSS and heap every 5 s). Goal: ratio >= 0.25.
 */
export async function run(args: string[]): Promise<void> {
  const connections = option(args, 'connections', 10);
  const seconds = option(args, 'seconds', 5);
  const memorySeconds = option(args, 'memory-seconds', 0);
  const db = await benchDatabase('viewer');
  const server = await createServer(loadConfig(process.env, { port: 0, logLevel: 'warn', sessionSecret: SECRET, rateLimitPerMinute: 0, redisUrl: undefined }), {
    ds: db.ds,
    jobs: false,
  });
  const pool = new Pool({ connectionString: db.url, max: 10 });
  const bare = handWritten(pool);
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  try {
    const signUp = await gql(server.url, undefined, `mutation { signUp(input: {email: "bench@example.com", password: "bench password 1", organizationName: "Bench"}) { token } }`);
    const token: string = signUp.signUp.token;
    // Warm-up of both (JIT, pools).
    await load(bareUrl, token, connections, 1000);
    await load(server.url, token, connections, 1000);
    const runs: Array<{ rapport: number; handWritten: number; rapportP50: number; handWrittenP50: number }> = [];
    for (let i = 0; i < 2; i++) {
      const h = await load(bareUrl, token, connections, seconds * 1000);
      const r = await load(server.url, token, connections, seconds * 1000);
      runs.push({ rapport: r.perSecond, handWritten: h.perSecond, rapportP50: quantile(r.latencies, 0.5), handWrittenP50: quantile(h.latencies, 0.5) });
      process.stdout.write(
        `round ${i + 1}: rapport ${Math.round(r.perSecond)} req/s (p50 ${round(quantile(r.latencies, 0.5), 2)} ms, p99 ${round(quantile(r.latencies, 0.99), 2)} ms); ` +
          `hand-written ${Math.round(h.perSecond)} req/s (p50 ${round(quantile(h.latencies, 0.5), 2)} ms); ratio ${round(r.perSecond / h.perSecond)}\n`,
      );
    }
    const memory: Array<{ s: number; rssMb: number; heapMb: number }> = [];
    if (memorySeconds > 0) {
      for (let s = 0; s < memorySeconds; s += 5) {
        await load(server.url, token, connections, 5000);
        global.gc?.();
        const m = process.memoryUsage();
        memory.push({ s: s + 5, rssMb: round(m.rss / 2 ** 20, 1), heapMb: round(m.heapUsed / 2 ** 20, 1) });
      }
      process.stdout.write(`memory over ${memorySeconds} s: ${JSON.stringify(memory)}\n`);
    }
    const rapport = runs.reduce((a, r) => a + r.rapport, 0) / runs.length;
    const hand = runs.reduce((a, r) => a + r.handWritten, 0) / runs.length;
    report({
      bench: 'viewer',
      connections,
      seconds,
      rapportPerSecond: Math.round(rapport),
      handWrittenPerSecond: Math.round(hand),
      rapportP50Ms: round(runs[runs.length - 1].rapportP50, 2),
      handWrittenP50Ms: round(runs[runs.length - 1].handWrittenP50, 2),
      ratio: round(rapport / hand),
      rounds: runs.map((r) => round(r.rapport / r.handWritten)),
      ...(memory.length ? { memory } : {}),
      goal: 0.25,
      met: rapport / hand >= 0.25,
    });
  } finally {
    await new Promise((resolve) => bare.close(resolve));
    await pool.end();
    await server.close();
    await db.close();
  }
}
