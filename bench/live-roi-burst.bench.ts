import { loadConfig } from '../src/config.js';
import { roiFeeds } from '../src/modules/roi/roi-updates.feed.js';
import { createServer } from '../src/server.js';
import { benchDatabase, gql, report, round } from './support.js';
import { benchTenant, ClientProcess, ProcessSampler, untilOpen } from './live-support.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256';
const FIELDS = `return investment roi variables { name value }`;

/**
 * roiUpdated under a burst: SUBSCRIBERS subscribers of one model and window (in another process),
 * then WRITES single-point writes issued within one second (from a third process). Figures: how
 * many recomputations ran (goal: at most 5 for a one-second burst: one per 250 ms), how long the
 * commits actually took to land, and whether every subscriber's last report equals a fresh `roi`
 * query. A second phase lands the same number of events within one second exactly (see below).
 * Args: [subscribers=500] [writes=1000]
 */
export async function run(args: string[]): Promise<void> {
  const subscribers = Number(args[0] ?? 500);
  const burst = Number(args[1] ?? 1000);
  const db = await benchDatabase('live_roi_burst');
  const server = await createServer(loadConfig(process.env, { port: 0, logLevel: 'warn', sessionSecret: SECRET, rateLimitPerMinute: 0, redisUrl: undefined }), {
    ds: db.ds,
  });
  const clients = new ClientProcess();
  const writer = new ClientProcess();
  try {
    const tenant = await benchTenant(server.url, 'deals');
    const model = await gql(server.url, tenant.token, `mutation ($i: CreateRoiModelInput!) { createRoiModel(input: $i) { id } }`, {
      i: { name: 'Deals', returnFormula: 'deals * deal_value', investmentFormula: 'budget', parameters: [{ name: 'deal_value', value: 250 }, { name: 'budget', value: 10000 }] },
    });
    const modelId = model.createRoiModel.id as string;
    const from = new Date(Date.now() - 24 * 3600_000).toISOString();
    const to = new Date(Date.now() + 24 * 3600_000).toISOString();
    await clients.open({
      groups: [{ url: server.url, count: subscribers }],
      authorization: tenant.readKey,
      query: `subscription ($m: ID, $from: DateTime!, $to: DateTime) { roiUpdated(modelId: $m, from: $from, to: $to) { ${FIELDS} } }`,
      variables: { m: modelId, from, to },
      keepLast: true,
    });
    await untilOpen([server], subscribers);
    await clients.settle(subscribers);
    const initial = await clients.report();
    await clients.reset();
    const coalescer = roiFeeds(server.app);
    const before = coalescer.computations;
    const node = new ProcessSampler().start();
    const commits: number[] = [];
    const unsubscribe = server.app.pubsub.subscribe(tenant.organizationId, 'metric-recorded', () => commits.push(Date.now()));
    const writes = await writer.write({ url: server.url, token: tenant.token, metricKey: 'deals', everyMs: 1000 / burst, durationMs: 1000 });
    await clients.settle(Infinity, 30_000);
    node.stop();
    unsubscribe();
    const computations = coalescer.computations - before;
    const r = await clients.report();
    const fresh = (await gql(server.url, tenant.token, `query ($m: ID, $from: DateTime!, $to: DateTime!) { roi(modelId: $m, from: $from, to: $to) { ${FIELDS} } }`, { m: modelId, from, to })).roi;
    const last = r.lastPayloads.map((p) => JSON.stringify((JSON.parse(p) as { data: { roiUpdated: unknown } }).data.roiUpdated));
    const commitSpanS = commits.length ? (commits[commits.length - 1] - commits[0]) / 1000 : 0;
    const realWrites = {
      writes: writes.writes,
      failedWrites: writes.failed,
      writeFailures: writes.failures,
      commitsSeen: commits.length,
      commitSpanSeconds: round(commitSpanS, 2),
      recomputations: computations,
      recomputationsAllowed: Math.ceil(commitSpanS / 0.25) + 1,
      updatesPerSubscriber: round(r.received[0] / subscribers, 2),
      distinctLastReports: last.length,
      lastReportEqualsFreshQuery: last.length === 1 && last[0] === JSON.stringify(fresh),
      lastReturn: fresh.return,
      node: node.summary(0),
      errors: r.errors.length,
    };

    // The same burst as events landing within one second, which this write path cannot commit
    // that fast on a small machine: the points are committed first in one batch, then one
    // single-point event per millisecond reaches the live side as commits would.
    const at = new Date().toISOString();
    await gql(server.url, tenant.token, `mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) { accepted } }`, {
      p: Array.from({ length: burst }, (_, i) => ({ metricKey: 'deals', value: i, at })),
    });
    await clients.settle(Infinity, 30_000);
    await clients.reset();
    const beforeBurst = coalescer.computations;
    const start = performance.now();
    for (let i = 0; i < burst; i++) {
      const wait = start + (i * 1000) / burst - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      await server.app.pubsub.publish(tenant.organizationId, 'metric-recorded', { points: [{ metricKey: 'deals', communityId: null, at, value: i }] });
    }
    const burstSeconds = (performance.now() - start) / 1000;
    await clients.settle(Infinity, 30_000);
    const burstComputations = coalescer.computations - beforeBurst;
    const r2 = await clients.report();
    const fresh2 = (await gql(server.url, tenant.token, `query ($m: ID, $from: DateTime!, $to: DateTime!) { roi(modelId: $m, from: $from, to: $to) { ${FIELDS} } }`, { m: modelId, from, to })).roi;
    const last2 = r2.lastPayloads.map((p) => JSON.stringify((JSON.parse(p) as { data: { roiUpdated: unknown } }).data.roiUpdated));
    report({
      bench: 'live-roi-burst',
      subscribers,
      initialReports: initial.received[0],
      realWrites,
      eventBurst: {
        events: burst,
        seconds: round(burstSeconds, 2),
        recomputations: burstComputations,
        recomputationGoal: 5,
        withinGoal: burstComputations <= 5,
        updatesPerSubscriber: round(r2.received[0] / subscribers, 2),
        distinctLastReports: last2.length,
        lastReportEqualsFreshQuery: last2.length === 1 && last2[0] === JSON.stringify(fresh2),
        errors: r2.errors.length,
      },
    });
  } finally {
    clients.close();
    writer.close();
    await server.close();
    await db.close();
  }
}
