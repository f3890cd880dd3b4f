import { Client } from 'pg';
import { INSERT_POINTS, insertParams } from '../src/modules/metrics/ingest.service.js';
import { benchDatabase, benchServer, gql, report, round } from './support.js';

/**
 * recordMetrics through HTTP in 10,000-point batches with idempotency keys, against the same rows
 * inserted by the same set-based statement through a bare pg client in the same process. Batches
 * alternate between the two, so both write into a table of the same size.
 *
 * Args: [batches=30] [batchSize=10000]. Goals: >= 50,000 points/s and >= half the bare rate.
 */
export async function run(args: string[]): Promise<void> {
  const batches = Number(args[0] ?? 30);
  const size = Number(args[1] ?? 10_000);
  const warmup = 2;
  const db = await benchDatabase('ingest');
  const server = await benchServer(db.ds);
  const bare = new Client({ connectionString: db.url });
  await bare.connect();
  try {
    const signUp = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token organization { id } } }`, {
      input: { email: 'bench@example.com', password: 'correct horse battery staple', organizationName: 'Bench' },
    });
    const token: string = signUp.signUp.token;
    const tenantId: string = signUp.signUp.organization.id;
    const define = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`;
    await gql(server.url, token, define, { input: { key: 'pts', name: 'Points', aggregation: 'SUM' } });
    const bareMetric = (await gql(server.url, token, define, { input: { key: 'bare_pts', name: 'Bare points', aggregation: 'SUM' } })).defineMetric.id;

    const start = Date.parse('2026-01-01T00:00:00Z');
    const pointsOf = (batch: number) =>
      Array.from({ length: size }, (_, i) => ({
        metricKey: 'pts',
        value: Math.round(Math.random() * 1e6) / 100,
        at: new Date(start + (batch * size + i) * 30_000).toISOString().replace('.000Z', 'Z'),
        idempotencyKey: `${batch}-${i}`,
      }));
    const query = `mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) { accepted duplicates } }`;

    // Each batch's body and bare parameters are made before its clock starts (one batch at a time,
    // so that the server's heap is not swollen by thirty megabytes of prepared input).
    const inputOf = (batch: number) => {
      const points = pointsOf(batch);
      return {
        body: JSON.stringify({ query, variables: { points } }),
        // The bare insert gets its parameters ready-made: only the statement itself is timed.
        params: insertParams(tenantId, {
          metricIds: points.map(() => bareMetric),
          communityIds: points.map(() => null),
          ats: points.map((p) => new Date(p.at).toISOString()),
          values: points.map((p) => p.value),
          keys: points.map((p) => `bare-${p.idempotencyKey}`),
        }),
      };
    };
    let bodyBytes = 0;
    let httpMs = 0;
    let bareMs = 0;
    for (let batch = 0; batch < batches + warmup; batch++) {
      const { body, params } = inputOf(batch);
      bodyBytes = Math.max(bodyBytes, body.length);
      let t0 = process.hrtime.bigint();
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      const json = (await res.json()) as { data?: { recordMetrics: { accepted: number } }; errors?: unknown };
      const httpTime = Number(process.hrtime.bigint() - t0) / 1e6;
      if (json.data?.recordMetrics.accepted !== size) throw new Error(`recordMetrics failed: ${JSON.stringify(json.errors ?? json.data)}`);

      t0 = process.hrtime.bigint();
      const { rows } = await bare.query(INSERT_POINTS, params);
      const bareTime = Number(process.hrtime.bigint() - t0) / 1e6;
      if (rows[0].accepted !== size) throw new Error('bare insert wrote fewer rows');
      if (batch >= warmup) {
        httpMs += httpTime;
        bareMs += bareTime;
      }
    }
    const points = batches * size;
    const httpRate = points / (httpMs / 1000);
    const bareRate = points / (bareMs / 1000);
    process.stdout.write(
      `recordMetrics over HTTP: ${Math.round(httpRate)} points/s (${round(httpMs / batches, 1)} ms a batch of ${size}, body ${bodyBytes} bytes)\n` +
        `bare pg insert:          ${Math.round(bareRate)} points/s (${round(bareMs / batches, 1)} ms a batch)\n`,
    );
    report({
      bench: 'ingest',
      batches,
      batchSize: size,
      points,
      httpPointsPerSecond: Math.round(httpRate),
      barePointsPerSecond: Math.round(bareRate),
      httpMsPerBatch: round(httpMs / batches, 1),
      bareMsPerBatch: round(bareMs / batches, 1),
      ratio: round(httpRate / bareRate),
      goalPointsPerSecond: 50_000,
      goalRatio: 0.5,
      met: httpRate >= 50_000 && httpRate / bareRate >= 0.5,
    });
  } finally {
    await bare.end();
    await server.close();
    await db.close();
  }
}
