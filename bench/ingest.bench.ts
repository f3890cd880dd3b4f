import { Client } from 'pg';
import { columnParams, INSERT_POINTS } from '../src/modules/metrics/ingest.service.js';
import { benchDatabase, benchServer, gql, report, round } from './support.js';

/**
 * recordMetrics through HTTP in 10,000-point batches with idempotency keys, against the same rows
 * inserted by the same set-based statement through a bare pg client in the same process. Batches
 * alternate between the two, so both write into a table of the same size.
 *
 * Args: [batches=30] [batchSize=10000] [concurrency=1]. With a concurrency above 1, that many batches
 * are in flight at once on each side (the bare side on as many connections), a round at a time.
 * Goals: >= 50,000 points/s and >= half the bare rate.
 */
export async function run(args: string[]): Promise<void> {
  const batches = Number(args[0] ?? 30);
  const size = Number(args[1] ?? 10_000);
  const concurrency = Number(args[2] ?? 1);
  const rounds = Math.ceil(batches / concurrency);
  const warmup = 2;
  const db = await benchDatabase('ingest');
  const server = await benchServer(db.ds);
  const bare = Array.from({ length: concurrency }, () => new Client({ connectionString: db.url }));
  await Promise.all(bare.map((c) => c.connect()));
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
        params: [
          tenantId,
          ...columnParams({
            metricIds: points.map(() => bareMetric),
            communityIds: points.map(() => null),
            ats: points.map((p) => new Date(p.at).toISOString()),
            values: points.map((p) => p.value),
            keys: points.map((p) => `bare-${p.idempotencyKey}`),
          }),
        ],
      };
    };
    let bodyBytes = 0;
    let httpMs = 0;
    let bareMs = 0;
    const elapsed = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
    const post = async (body: string) => {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      const json = (await res.json()) as { data?: { recordMetrics: { accepted: number } }; errors?: unknown };
      if (json.data?.recordMetrics.accepted !== size) throw new Error(`recordMetrics failed: ${JSON.stringify(json.errors ?? json.data)}`);
    };
    const insert = async (client: Client, params: unknown[]) => {
      const { rows } = await client.query(INSERT_POINTS, params);
      if (rows[0].accepted !== size) throw new Error('bare insert wrote fewer rows');
    };
    for (let r = 0; r < rounds + warmup; r++) {
      const inputs = Array.from({ length: concurrency }, (_, i) => inputOf(r * concurrency + i));
      bodyBytes = Math.max(bodyBytes, ...inputs.map((i) => i.body.length));
      let t0 = process.hrtime.bigint();
      await Promise.all(inputs.map((i) => post(i.body)));
      const httpTime = elapsed(t0);
      t0 = process.hrtime.bigint();
      await Promise.all(inputs.map((i, n) => insert(bare[n], i.params)));
      const bareTime = elapsed(t0);
      if (r >= warmup) {
        httpMs += httpTime;
        bareMs += bareTime;
      }
    }
    const points = rounds * concurrency * size;
    const httpRate = points / (httpMs / 1000);
    const bareRate = points / (bareMs / 1000);
    process.stdout.write(
      `recordMetrics over HTTP: ${Math.round(httpRate)} points/s (${round(httpMs / rounds, 1)} ms a round of ${concurrency} x ${size}, body ${bodyBytes} bytes)\n` +
        `bare pg insert:          ${Math.round(bareRate)} points/s (${round(bareMs / rounds, 1)} ms a round)\n`,
    );
    report({
      bench: 'ingest',
      batches: rounds * concurrency,
      batchSize: size,
      concurrency,
      points,
      httpPointsPerSecond: Math.round(httpRate),
      barePointsPerSecond: Math.round(bareRate),
      httpMsPerRound: round(httpMs / rounds, 1),
      bareMsPerRound: round(bareMs / rounds, 1),
      ratio: round(httpRate / bareRate),
      goalPointsPerSecond: 50_000,
      goalRatio: 0.5,
      met: httpRate >= 50_000 && httpRate / bareRate >= 0.5,
    });
  } finally {
    await Promise.all(bare.map((c) => c.end()));
    await server.close();
    await db.close();
  }
}
