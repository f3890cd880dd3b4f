import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createServer } from '../src/server.js';
import { benchDatabase, report, round } from './support.js';
import { benchTenant, ClientPool, ClientProcess, ProcessSampler, untilOpen } from './live-support.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256';
/** Subscriber processes (parsing is spread so that it adds little queueing of its own). */
const CLIENT_PROCESSES = 2;

/** Starts `node dist/src/main.js` as the second node and resolves with its URL and pid. */
async function startNode(env: Record<string, string>): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'main.js')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)\/graphql/.exec(out);
      if (match) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`node B exited:\n${out}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * metricUpdated across two nodes through Redis: PER_NODE subscribers on each node (in another
 * process), one write every EVERY_MS for SECONDS made on node B. Subscribers on B hear it locally,
 * those on A through Redis. Figures: commit-to-client latency per node, CPU and memory of both.
 * Args: [perNode=1000] [seconds=30] [everyMs=10]
 */
export async function run(args: string[]): Promise<void> {
  const perNode = Number(args[0] ?? 1000);
  const seconds = Number(args[1] ?? 30);
  const everyMs = Number(args[2] ?? 10);
  const redisUrl = process.env.REDIS_URL || process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
  const db = await benchDatabase('live_redis');
  const a = await createServer(loadConfig(process.env, { port: 0, logLevel: 'warn', sessionSecret: SECRET, rateLimitPerMinute: 0, redisUrl }), { ds: db.ds });
  const b = await startNode({ DATABASE_URL: db.url, REDIS_URL: redisUrl, SESSION_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' });
  const clients = new ClientPool(CLIENT_PROCESSES);
  const writer = new ClientProcess();
  try {
    const tenant = await benchTenant(a.url, 'ticks');
    await clients.open({
      groups: [
        { url: a.url, count: perNode },
        { url: b.url, count: perNode },
      ],
      authorization: tenant.readKey,
      query: `subscription { metricUpdated(metricKey: "ticks") { metricKey value at committedAt } }`,
    });
    await untilOpen([a, b], 2 * perNode);
    await a.app.pubsub.settled();
    const write = (durationMs: number) => writer.write({ url: b.url, token: tenant.token, metricKey: 'ticks', everyMs, durationMs });
    await write(1000);
    await clients.settle();
    await clients.reset();
    const nodeA = new ProcessSampler().start();
    const nodeB = new ProcessSampler(b.pid).start();
    const clientSamplers = clients.pids.map((pid) => new ProcessSampler(pid).start());
    const writes = await write(seconds * 1000);
    await clients.settle((writes.writes - writes.failed) * 2 * perNode);
    [nodeA, nodeB, ...clientSamplers].forEach((s) => s.stop());
    const r = await clients.report();
    const expected = (writes.writes - writes.failed) * perNode;
    report({
      bench: 'live-redis',
      subscribersPerNode: perNode,
      seconds,
      writeEveryMs: everyMs,
      writesOn: 'node B',
      writes: writes.writes,
      failedWrites: writes.failed,
      writeFailures: writes.failures,
      achievedWritesPerSecond: round(writes.writes / writes.seconds, 1),
      nodeA: { via: 'Redis', delivered: r.received[0], expected, deliveredRatio: round(r.received[0] / expected, 4), latencyMs: r.latency[0], process: nodeA.summary(5) },
      nodeB: { via: 'local', delivered: r.received[1], expected, deliveredRatio: round(r.received[1] / expected, 4), latencyMs: r.latency[1], process: nodeB.summary(5) },
      p99GoalMs: 100,
      p99UnderGoal: Math.max(r.latency[0].p99, r.latency[1].p99) < 100,
      clientProcesses: { count: CLIENT_PROCESSES, cpuCores: round(clientSamplers.reduce((a, c) => a + (c.summary(5).cpuCores ?? 0), 0), 2) },
      errors: r.errors.length,
    });
  } finally {
    clients.close();
    writer.close();
    await b.stop();
    await a.close();
    await db.close();
  }
}
