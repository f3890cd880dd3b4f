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
    // Each driver its own noisy daily level; revenue follows d1 three days later. Each day's value is split over perDay points.
    const r0 = seededRandom(2025);
    const level = () => Array.from({ length: 365 }, (_, d) => 20 + 10 * Math.sin(d / 7 + 3 * r0.uniform()) + 10 * r0.uniform());
    const [d1, d2, d3] = [level(), level(), level()];
    const revenue = d1.map((_, d) => 100 + 5 * (d >= 3 ? d1[d - 3] : 20) + 20 * r0.normal());
    const daily = [revenue, d1, d2, d3];
    await db.ds.query(
      `INSERT INTO metric_points (organization_id, metric_id, at, value)
       SELECT $1, v.id, $2::timestamptz + v.d * interval '1 day' + (i * 86399.0 / $3) * interval '1 second', v.value / $3
       FROM unnest($4::uuid[], $5::int[], $6::float8[]) AS v(id, d, value) CROSS JOIN generate_series(0, $3 - 1) AS i`,
      [tenantId, from, perDay, daily.flatMap((_, m) => daily[m].map(() => ids[m])), daily.flatMap((s) => s.map((_, d) => d)), daily.flat()],
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
