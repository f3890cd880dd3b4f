import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientReport, OpenCommand, WriteCommand } from './live-clients.js';
import { Histogram } from './live-histogram.js';
import { gql, round } from './support.js';
import { paced } from './live-writes.js';
export { paced, recordPoint } from './live-writes.js';

/** A helper process of a live bench (bench/live-clients.ts, compiled): subscribers, or a writer. */

/** Polls `count` every 100 ms until it reaches `expected`, stops growing for a second, or `timeoutMs` passes. */
async function settleCount(count: () => Promise<number>, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let still = 0;
  while (Date.now() < deadline) {
    const total = await count();
    if (total >= expected) return;
    still = total === last ? still + 1 : 0;
    if (still >= 10) return; // nothing new for a second
    last = total;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a writer process reports: see `paced`. */
export type Written = Awaited<ReturnType<typeof paced>> & { seconds: number };

export class ClientProcess {
  private readonly child: ChildProcess;
  private readonly inbox: Array<Record<string, unknown>> = [];
  private readonly waiters: Array<() => void> = [];

  constructor() {
    this.child = fork(join(__dirname, 'live-clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: Record<string, unknown>) => {
      this.inbox.push(m);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Opens the subscribers (one connection each) and resolves once all are acknowledged and subscribed. */
  async open(command: Omit<OpenCommand, 'cmd'>): Promise<void> {
    this.child.send({ cmd: 'open', ...command });
    const reply = await this.expect(['opened', 'failed'], 120_000);
    if (reply.ev === 'failed') throw new Error(`subscribers failed to open: ${String(reply.error)}`);
  }

  /** Writes on a fixed schedule from this process; resolves when all writes are answered. */
  async write(command: Omit<WriteCommand, 'cmd'>): Promise<Written> {
    this.child.send({ cmd: 'write', ...command });
    return (await this.expect(['written'], command.durationMs + 120_000)) as unknown as Written;
  }

  /** Waits until the count of results stops growing (or reaches `expected`); at most `timeoutMs`. */
  async settle(expected = Infinity, timeoutMs = 30_000): Promise<void> {
    await settleCount(() => this.count(), expected, timeoutMs);
  }

  /** Results received since the last reset, all groups (cheaper to ask than a report). */
  async count(): Promise<number> {
    this.child.send({ cmd: 'count' });
    return (await this.expect(['count'])).received as number;
  }

  async reset(): Promise<void> {
    this.child.send({ cmd: 'reset' });
    await this.expect(['reset']);
  }

  async report(): Promise<ClientReport> {
    this.child.send({ cmd: 'report' });
    return (await this.expect(['report'])) as unknown as ClientReport;
  }

  close(): void {
    if (this.child.connected) this.child.send({ cmd: 'close' });
  }

  private expect(events: string[], timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${events.join('/')} from the subscriber process`)), timeoutMs);
      const check = () => {
        const i = this.inbox.findIndex((m) => events.includes(m.ev as string));
        if (i < 0) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve(this.inbox.splice(i, 1)[0]);
      };
      check();
    });
  }
}

/**
 * Subscribers spread over several processes (one Node thread parsing thousands of messages per
 * event would otherwise add its own queueing to the latency measured). Same interface as one.
 */
export class ClientPool {
  readonly processes: ClientProcess[];

  constructor(size: number) {
    this.processes = Array.from({ length: size }, () => new ClientProcess());
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }

  /** Splits every group's subscribers evenly over the processes. */
  async open(command: Omit<OpenCommand, 'cmd'>): Promise<void> {
    const k = this.processes.length;
    await Promise.all(
      this.processes.map((p, i) =>
        p.open({ ...command, groups: command.groups.map((g) => ({ url: g.url, count: Math.floor(g.count / k) + (i < g.count % k ? 1 : 0) })) }),
      ),
    );
  }

  async reset(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.reset()));
  }

  /** Waits until the total of results stops growing (or reaches `expected`). */
  async settle(expected = Infinity, timeoutMs = 30_000): Promise<void> {
    await settleCount(async () => (await Promise.all(this.processes.map((p) => p.count()))).reduce((a, b) => a + b, 0), expected, timeoutMs);
  }

  /** The processes' reports merged: counts added, histograms merged. */
  async report(): Promise<ClientReport> {
    const reports = await Promise.all(this.processes.map((p) => p.report()));
    const groups = reports[0].received.length;
    const merged = Array.from({ length: groups }, (_, g) => reports.reduce((h, r) => h.merge(r.histograms[g]), new Histogram()));
    return {
      ev: 'report',
      received: Array.from({ length: groups }, (_, g) => reports.reduce((n, r) => n + r.received[g], 0)),
      latency: merged.map((h) => h.summary()),
      histograms: merged.map((h) => h.sparse()),
      errors: reports.flatMap((r) => r.errors),
      lastPayloads: [...new Set(reports.flatMap((r) => r.lastPayloads))],
      lastAt: Math.max(...reports.map((r) => r.lastAt)),
    };
  }

  close(): void {
    this.processes.forEach((p) => p.close());
  }
}

/** Waits until the servers' open-subscriptions gauges add up to `n` (reads each one's /metrics). */
export async function untilOpen(servers: Array<{ url: string }>, n: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let open = 0;
    for (const s of servers) {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      open += Number(/^rapport_open_subscriptions (\S+)$/m.exec(text)?.[1] ?? 0);
    }
    if (open >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${open} of ${n} subscriptions opened`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU seconds and resident memory of a process, from /proc (Linux). */
function procStats(pid: number): { cpuSeconds: number; systemSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssPages = Number(fields[21]);
  return { cpuSeconds: ticks / 100, systemSeconds: Number(fields[12]) / 100, rssBytes: rssPages * 4096 };
}

/**
 * CPU seconds used so far by every PostgreSQL process of this machine (backends, WAL writer, ...),
 * from /proc: the live ones' own, and the postmaster's reaped children's (backends that ended).
 */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3] + n[4];
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/**
 * Where the machine's CPU went over a period: PostgreSQL's processes and the machine as a whole,
 * in cores (1.0 = one core busy all along), to set beside the samplers of the bench's own processes.
 */
export class MachineSampler {
  private start = { t: 0, pg: 0, busy: 0 };
  private end = { t: 0, pg: 0, busy: 0 };

  begin(): this {
    this.start = { t: Date.now(), pg: postgresCpuSeconds(), busy: machineCpuSeconds().busy };
    return this;
  }

  finish(): { postgresCores: number; machineBusyCores: number } {
    this.end = { t: Date.now(), pg: postgresCpuSeconds(), busy: machineCpuSeconds().busy };
    const seconds = (this.end.t - this.start.t) / 1000;
    return { postgresCores: round((this.end.pg - this.start.pg) / seconds, 2), machineBusyCores: round((this.end.busy - this.start.busy) / seconds, 2) };
  }
}

/** Samples a process's CPU use and memory once a second. */
export class ProcessSampler {
  private readonly samples: Array<{ t: number; cpu: number; system: number; rss: number; heap: number | null }> = [];
  private timer?: NodeJS.Timeout;

  /** `pid` undefined: this process (heap included). */
  constructor(private readonly pid?: number) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** CPU seconds used over the sampled period, and the part of them spent in the kernel (socket writes, mostly). */
  cpuSeconds(): { total: number; system: number } {
    const [first, last] = [this.samples[0], this.samples[this.samples.length - 1]];
    return { total: last.cpu - first.cpu, system: last.system - first.system };
  }

  /** CPU use over the sampled period (1.0 = one core), and memory at warm-up (after `warmupS`) against the end. */
  summary(warmupS = 5): Record<string, number | null> {
    const first = this.samples[0];
    const lastSample = this.samples[this.samples.length - 1];
    const warm = this.samples.find((s) => s.t - first.t >= warmupS * 1000) ?? first;
    const mb = (b: number | null) => (b === null ? null : round(b / 1048576, 1));
    const tail = this.samples.filter((s) => s.t >= lastSample.t - 5000);
    const rssTail = tail.reduce((a, s) => a + s.rss, 0) / tail.length;
    const heads = this.samples.filter((s) => s.t >= warm.t && s.t < warm.t + 5000);
    const rssHead = heads.reduce((a, s) => a + s.rss, 0) / Math.max(1, heads.length);
    return {
      cpuCores: round((lastSample.cpu - first.cpu) / ((lastSample.t - first.t) / 1000), 2),
      rssMbAfterWarmup: mb(rssHead),
      rssMbAtEnd: mb(rssTail),
      rssGrowthMbAfterWarmup: round((rssTail - rssHead) / 1048576, 1),
      heapMbAfterWarmup: mb(warm.heap),
      heapMbAtEnd: mb(lastSample.heap),
    };
  }

  private sample(): void {
    if (this.pid === undefined) {
      // With --expose-gc, measure what is live rather than what the collector has not reached yet.
      (globalThis as { gc?: () => void }).gc?.();
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      this.samples.push({ t: Date.now(), cpu: (cpu.user + cpu.system) / 1e6, system: cpu.system / 1e6, rss: mem.rss, heap: mem.heapUsed });
    } else {
      const s = procStats(this.pid);
      this.samples.push({ t: Date.now(), cpu: s.cpuSeconds, system: s.systemSeconds, rss: s.rssBytes, heap: null });
    }
  }
}

/** A tenant for a bench: its owner's token, a READ key and a SUM metric `key`. */
export async function benchTenant(url: string, metricKey: string): Promise<{ token: string; readKey: string; organizationId: string }> {
  const signUp = await gql(url, undefined, `mutation ($i: SignUpInput!) { signUp(input: $i) { token organization { id } } }`, {
    i: { email: `bench-${process.pid}-${Date.now()}@example.com`, password: 'correct horse battery staple', organizationName: 'Bench' },
  });
  const token = signUp.signUp.token as string;
  await gql(url, token, `mutation ($i: DefineMetricInput!) { defineMetric(input: $i) { key } }`, { i: { key: metricKey, name: metricKey, aggregation: 'SUM' } });
  const key = await gql(url, token, `mutation { createApiKey(input: {name: "bench", scopes: [READ]}) { secret } }`);
  return { token, readKey: key.createApiKey.secret, organizationId: signUp.signUp.organization.id };
}
