import { Client } from 'pg';
import { benchDatabase, benchServer, gql, quantile, report, round } from './support.js';

/**
 * metricSeries (DAY, Europe/Paris) over one year of points of one metric, through HTTP, against the
 * bare SQL aggregate of the same points through pg in the same process. Runs alternate between the
 * two so that both see the same machine load.
 *
 * Args: [points=1000000] [runs=15]. Goal: HTTP p50 within 1.3x of the bare p50.
 */
export async function run(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 1_000_000);
  const runs = Number(args[1] ?? 15);
  const warmup = 3;
  const db = await benchDatabase('series');
  const server = await benchServer(db.ds);
  const bare = new Client({ connectionString: db.url });
  await bare.connect();
  try {
    const signUp = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token organization { id } } }`, {
      input: { email: 'bench@example.com', password: 'correct horse battery staple', organizationName: 'Bench', timezone: 'Europe/Paris' },
    });
    const token: string = signUp.signUp.token;
    const tenantId: string = signUp.signUp.organization.id;
    const define = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`;
    const metricId: string = (await gql(server.url, token, define, { input: { key: 'pts', name: 'Points', aggregation: 'SUM' } })).defineMetric.id;
    const otherId: string = (await gql(server.url, token, define, { input: { key: 'other', name: 'Other', aggregation: 'SUM' } })).defineMetric.id;

    const yearStart = '2025-01-01T00:00:00+01:00';
    const yearEnd = '2026-01-01T00:00:00+01:00';
    let t0 = Date.now();
    // One year of points spread evenly, plus a tenth as many of another metric interleaved with them.
    await db.ds.query(
      `INSERT INTO metric_points (organization_id, metric_id, at, value)
       SELECT $1, CASE WHEN i % 11 = 10 THEN $3::uuid ELSE $2::uuid END,
              $4::timestamptz + (i::float8 / $5) * ($6::timestamptz - $4::timestamptz), (i % 1000) / 10.0
       FROM generate_series(0, $5 - 1) AS i`,
      [tenantId, metricId, otherId, yearStart, Math.round(total * 1.1), yearEnd],
    );
    await db.ds.query(`VACUUM ANALYZE metric_points`);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE metric_id = $1`, [metricId]);
    process.stdout.write(`generated ${n} points of the metric (and ${Math.round(total * 1.1) - n} of another) in ${Date.now() - t0} ms\n`);

    const query = `query ($from: DateTime!, $to: DateTime!) { metricSeries(metricKey: "pts", from: $from, to: $to, interval: DAY) { start value count } }`;
    // No ORDER BY: with it the planner sorts a million rows to group them instead of hashing; the
    // 365 rows are sorted here instead, which keeps the baseline at its fastest.
    const bareSql = `SELECT date_trunc('day', at, 'Europe/Paris') AS bucket, sum(value) AS value, count(*)::int AS count
      FROM metric_points WHERE organization_id = $1 AND metric_id = $2 AND at >= $3 AND at < $4 GROUP BY 1`;
    const http = async () => (await gql(server.url, token, query, { from: yearStart, to: yearEnd })).metricSeries as unknown[];
    const direct = async () =>
      ((await bare.query(bareSql, [tenantId, metricId, yearStart, yearEnd])).rows as Array<{ bucket: Date }>).sort(
        (x, y) => x.bucket.getTime() - y.bucket.getTime(),
      );

    const httpTimes: number[] = [];
    const bareTimes: number[] = [];
    let buckets = 0;
    for (let i = 0; i < runs + warmup; i++) {
      t0 = performance.now();
      const series = await http();
      const httpMs = performance.now() - t0;
      t0 = performance.now();
      const rows = await direct();
      const bareMs = performance.now() - t0;
      if (series.length !== rows.length) throw new Error(`bucket counts differ: ${series.length} vs ${rows.length}`);
      buckets = series.length;
      if (i >= warmup) {
        httpTimes.push(httpMs);
        bareTimes.push(bareMs);
      }
    }
    httpTimes.sort((a, b) => a - b);
    bareTimes.sort((a, b) => a - b);
    const httpP50 = quantile(httpTimes, 0.5);
    const bareP50 = quantile(bareTimes, 0.5);
    process.stdout.write(
      `metricSeries over HTTP: p50 ${round(httpP50, 1)} ms, p90 ${round(quantile(httpTimes, 0.9), 1)} ms (${buckets} buckets)\n` +
        `bare SQL aggregate:     p50 ${round(bareP50, 1)} ms, p90 ${round(quantile(bareTimes, 0.9), 1)} ms\n`,
    );
    report({
      bench: 'series',
      points: n,
      buckets,
      runs,
      httpP50Ms: round(httpP50, 1),
      bareP50Ms: round(bareP50, 1),
      ratio: round(httpP50 / bareP50),
      goalRatio: 1.3,
      met: httpP50 / bareP50 <= 1.3,
    });
  } finally {
    await bare.end();
    await server.close();
    await db.close();
  }
}
