import { loadConfig } from '../src/config.js';
import { createServer } from '../src/server.js';
import { benchDatabase, report, round } from './support.js';
import { benchTenant, ClientPool, ClientProcess, MachineSampler, ProcessSampler, untilOpen } from './live-support.js';
import { ON_SCHEDULE_MS } from './live-writes.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256';
/** Subscriber processes (parsing is spread so that it adds little queueing of its own). */
const CLIENT_PROCESSES = 2;

/**
 * metricUpdated fan-out on one node: SUBSCRIBERS subscribers (one connection each, in another
 * process), one single-point write every EVERY_MS for SECONDS (from a third process). Figures: commit-to-client latency,
 * deliveries, the node's CPU and memory (flat after warm-up?).
 * Args: [subscribers=2000] [seconds=30] [everyMs=10]
 */
export async function run(args: string[]): Promise<void> {
  const subscribers = Number(args[0] ?? 2000);
  const seconds = Number(args[1] ?? 30);
  const everyMs = Number(args[2] ?? 10);
  const db = await benchDatabase('live_fanout');
  const server = await createServer(loadConfig(process.env, { port: 0, logLevel: 'warn', sessionSecret: SECRET, rateLimitPerMinute: 0, redisUrl: undefined }), {
    ds: db.ds,
  });
  const clients = new ClientPool(CLIENT_PROCESSES);
  const writer = new ClientProcess();
  try {
    const tenant = await benchTenant(server.url, 'ticks');
    const opening = Date.now();
    await clients.open({
      groups: [{ url: server.url, count: subscribers }],
      authorization: tenant.readKey,
      query: `subscription { metricUpdated(metricKey: "ticks") { metricKey value at committedAt } }`,
    });
    await untilOpen([server], subscribers);
    const openSeconds = (Date.now() - opening) / 1000;
    const write = (durationMs: number) => writer.write({ url: server.url, token: tenant.token, metricKey: 'ticks', everyMs, durationMs });
    // Warm up (JIT, pools) for a second, then measure from a clean slate.
    await write(1000);
    await clients.settle();
    await clients.reset();
    const node = new ProcessSampler().start();
    const clientSamplers = clients.pids.map((pid) => new ProcessSampler(pid).start());
    const writerSampler = new ProcessSampler(writer.pid).start();
    const machine = new MachineSampler().begin();
    const writeStart = Date.now();
    const writes = await write(seconds * 1000);
    const writeSeconds = writes.seconds;
    await clients.settle(writes.writes * subscribers);
    node.stop();
    clientSamplers.forEach((c) => c.stop());
    writerSampler.stop();
    const machineUse = machine.finish();
    const r = await clients.report();
    const expected = (writes.writes - writes.failed) * subscribers;
    const nodeSummary = node.summary(5);
    report({
      bench: 'live-fanout',
      subscribers,
      connectSeconds: round(openSeconds, 1),
      seconds,
      writeEveryMs: everyMs,
      writes: writes.writes,
      failedWrites: writes.failed,
      writeFailures: writes.failures,
      achievedWritesPerSecond: round(writes.writes / writeSeconds, 1),
      writesOnSchedule: writes.onSchedule,
      onScheduleRatio: round(writes.onSchedule / writes.writes, 4),
      onScheduleMeans: `answered (committed) within ${ON_SCHEDULE_MS} ms of its due time`,
      writeAnswerMs: writes.answerMs,
      deliveries: r.received[0],
      expectedDeliveries: expected,
      deliveredRatio: round(r.received[0] / expected, 4),
      // Over the time they took: from the first write to the last delivery (a backlog that drains after the writes counts).
      deliveriesPerSecond: round(r.received[0] / ((r.lastAt - writeStart) / 1000), 0),
      deliverySeconds: round((r.lastAt - writeStart) / 1000, 2),
      latencyMs: r.latency[0],
      p99GoalMs: 100,
      p99UnderGoal: r.latency[0].p99 < 100,
      node: nodeSummary,
      nodeCpuMicrosPerDelivery: round((node.cpuSeconds().total * 1e6) / Math.max(1, r.received[0]), 2),
      nodeKernelShareOfCpu: round(node.cpuSeconds().system / Math.max(1e-9, node.cpuSeconds().total), 2),
      clientProcesses: {
        count: CLIENT_PROCESSES,
        cpuCores: round(clientSamplers.reduce((a, c) => a + (c.summary(5).cpuCores ?? 0), 0), 2),
        kernelShareOfCpu: round(clientSamplers.reduce((a, c) => a + c.cpuSeconds().system, 0) / Math.max(1e-9, clientSamplers.reduce((a, c) => a + c.cpuSeconds().total, 0)), 2),
      },
      writerProcessCores: writerSampler.summary(5).cpuCores,
      ...machineUse,
      errors: r.errors.length,
    });
  } finally {
    clients.close();
    writer.close();
    await server.close();
    await db.close();
  }
}
