import { fitLagged, MAX_DRIVERS, MAX_INSIGHT_BUCKETS, MAX_LAG } from '../src/modules/insights/lagged-fit.js';
import { seededRandom } from '../src/modules/insights/seeded-random.js';
import { benchDatabase, benchServer, gql, quantile, report, round, timeRuns } from './support.js';

/**
 * relationshipInsights (DAY, a target and 3 drivers, maxLag 4 and 12) over a year of points, through
 * HTTP, against fetching the same four series with metricSeries over HTTP (four requests) in the
 * same process: what the one-statement read, the lag search and the fit cost beyond the reads.
 * Then the worst case the caps allow, in memory: 10 drivers, maxLag 12, 2,000 intervals.
 *
 * Args: [pointsPerMetricPerDay=200] [runs=15]. Goal: p50 within 1.5x of the four reads.
 */
export async function run(args: string[]): Promise<void> {
  const perDay = Number(args[0] ?? 200);
  const runs = Number(args[1] ?? 15);
  const db = await benchDatabase('insights');
  const server = await benchServer(db.ds);
  try {
    const signUp = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token organization { id } } }`, {
      input: { email: 'bench@example.com', password: 'correct horse battery staple', organizationName: 'Bench' },
    });
    const token: string = signUp.signUp.token;
    const tenantId: string = signUp.signUp.organization.id;
    const keys = ['revenue', 'd1', 'd2', 'd3'];
    const ids: string[] = [];
    for (const key of keys) {
      ids.push((await gql(server.url, token, `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`, { input: { key, name: key, aggregation: 'SUM' } })).defineMetric.id);
    }
    const from = '2025-01-01T00:00:00Z';
    const to = '2026-01-01T00:00:00Z';
    let t0 = Date.now();
    // Drivers: noisy daily levels; revenue follows d1 three days later.
    await db.ds.query(
      `WITH days AS (SELECT d, 20 + 10 * sin(d / 7.0) + random() * 10 AS level FROM generate_series(0, 364) AS d)
       INSERT INTO metric_points (organization_id, metric_id, at, value)
       SELECT $1, m.id, $3::timestamptz + days.d * interval '1 day' + (i * 86399.0 / $4) * interval '1 second',
              CASE WHEN m.k = 'revenue' THEN (100 + 5 * coalesce(lagged.level, 20) + random() * 20) / $4 ELSE days.level * (0.5 + random()) / $4 END
       FROM days LEFT JOIN days lagged ON lagged.d = days.d - 3
       CROSS JOIN unnest($2::uuid[], $5::text[]) AS m(id, k) CROSS JOIN generate_series(0, $4 - 1) AS i`,
      [tenantId, ids, from, perDay, keys],
    );
    await db.ds.query(`VACUUM ANALYZE metric_points`);
    process.stdout.write(`generated ${365 * perDay * keys.length} points in ${Date.now() - t0} ms\n`);

    const insight = (maxLag: number) => () =>
      gql(server.url, token, `query ($from: DateTime!, $to: DateTime!, $maxLag: Int) {
        relationshipInsights(target: "revenue", drivers: ["d1", "d2", "d3"], from: $from, to: $to, interval: DAY, maxLag: $maxLag) { n lagSearch drivers { lag coefficient low high } } }`, { from, to, maxLag });
    const reads = async () => {
      for (const key of keys) {
        await gql(server.url, token, `query ($k: String!, $from: DateTime!, $to: DateTime!) { metricSeries(metricKey: $k, from: $from, to: $to, interval: DAY) { start value } }`, { k: key, from, to });
      }
    };
    const sample = (await insight(4)()).relationshipInsights;
    process.stdout.write(`answer at maxLag 4: ${JSON.stringify(sample)}\n`);
    // Alternate the three so they share the machine's load.
    const times: Record<string, number[]> = { lag4: [], lag12: [], reads: [] };
    for (let i = 0; i < runs + 3; i++) {
      for (const [name, fn] of [['lag4', insight(4)], ['lag12', insight(12)], ['reads', reads]] as const) {
        t0 = performance.now();
        await fn();
        if (i >= 3) times[name].push(performance.now() - t0);
      }
    }
    for (const list of Object.values(times)) list.sort((a, b) => a - b);
    const p50 = (name: string) => quantile(times[name], 0.5);

    // The worst case the caps allow, in memory only (no database).
    const r = seededRandom(1);
    const series = () => Array.from({ length: MAX_INSIGHT_BUCKETS }, () => 40 + 12 * r.normal());
    const drivers = Array.from({ length: MAX_DRIVERS }, (_, j) => ({ key: `x${j}`, values: series() }));
    const target = drivers[0].values.map((_, t) => (t >= 3 ? 0.5 * drivers[0].values[t - 3] : 20) + r.normal());
    let worst = { search: '', fits: 0 };
    const worstTimes = (
      await timeRuns(5, 1, async () => {
        const fit = fitLagged({ target: { key: 'y', values: target }, drivers, maxLag: MAX_LAG });
        worst = { search: fit.search, fits: fit.fits };
      })
    ).sort((a, b) => a - b);

    process.stdout.write(
      `relationshipInsights maxLag 4:  p50 ${round(p50('lag4'), 1)} ms\n` +
        `relationshipInsights maxLag 12: p50 ${round(p50('lag12'), 1)} ms\n` +
        `four metricSeries reads:        p50 ${round(p50('reads'), 1)} ms\n` +
        `worst case in memory (${MAX_DRIVERS} drivers, maxLag ${MAX_LAG}, ${MAX_INSIGHT_BUCKETS} intervals, ${worst.search}, ${worst.fits} fits): p50 ${round(quantile(worstTimes, 0.5), 1)} ms\n`,
    );
    report({
      bench: 'insights',
      pointsPerMetric: 365 * perDay,
      runs,
      lag4P50Ms: round(p50('lag4'), 1),
      lag12P50Ms: round(p50('lag12'), 1),
      readsP50Ms: round(p50('reads'), 1),
      ratio: round(p50('lag4') / p50('reads')),
      ratioLag12: round(p50('lag12') / p50('reads')),
      worstCaseFitP50Ms: round(quantile(worstTimes, 0.5), 1),
      worstCaseFits: worst.fits,
      goalRatio: 1.5,
      met: p50('lag4') / p50('reads') <= 1.5,
    });
  } finally {
    await server.close();
    await db.close();
  }
}
