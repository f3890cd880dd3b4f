import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Client } from 'pg';
import { followImport, uploadImport } from '../src/cli/import-client.js';
import { importPhases, type ImportPhases } from '../src/modules/imports/import-phases.js';
import { columnParams, INSERT_POINTS } from '../src/modules/metrics/ingest.service.js';
import { benchDatabase, benchServer, gql, report, round } from './support.js';

const START = Date.parse('2025-01-01T00:00:00Z');
/** Points of one recordMetrics call in the bench. */
const GQL_BATCH = 8_000;

/** The i-th point of the bench's data: a value every 30 s, each with an idempotency key. */
function pointOf(i: number, key: string): { metricKey: string; value: number; at: string; idempotencyKey: string } {
  return { metricKey: key, value: (i % 100_000) / 100, at: new Date(START + i * 30_000).toISOString().replace('.000Z', 'Z'), idempotencyKey: `${key}-${i}` };
}

/** Writes `rows` NDJSON points to a file, streamed. */
async function writeNdjson(file: string, rows: number, key: string): Promise<void> {
  const out = createWriteStream(file);
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += `${JSON.stringify(pointOf(i, key))}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/**
 * A million metric points three ways, into one database, in one process:
 * - baseline: the hand-written service, `INSERT … SELECT FROM unnest` in 10,000-row batches over
 *   a bare pg client, its parameters made before the clock starts (only the statements are timed);
 * - import: the NDJSON file uploaded to POST /v1/imports and followed until the job SUCCEEDED
 *   (upload, staging, checks, merge), with the process's RSS sampled all along;
 * - recordMetrics: 8,000-point batches through GraphQL over HTTP (the `batch` JSON argument).
 * Args: [rows=1000000] [graphqlBatches=30]. Goals: import >= 1.5x baseline, RSS growth < 150 MB,
 * recordMetrics >= 0.5x baseline.
 */
export async function run(args: string[]): Promise<void> {
  const rows = Number(args[0] ?? 1_000_000);
  const graphqlBatches = Number(args[1] ?? 30);
  const db = await benchDatabase('import');
  const server = await benchServer(db.ds);
  const bare = new Client({ connectionString: db.url });
  await bare.connect();
  const dir = await mkdtemp(join(tmpdir(), 'rapport-import-bench-'));
  try {
    const signUp = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token organization { id } } }`, {
      input: { email: 'bench@example.com', password: 'correct horse battery staple', organizationName: 'Bench' },
    });
    const token: string = signUp.signUp.token;
    const tenantId: string = signUp.signUp.organization.id;
    const define = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`;
    await gql(server.url, token, define, { input: { key: 'imported', name: 'Imported', aggregation: 'SUM' } });
    await gql(server.url, token, define, { input: { key: 'gql_pts', name: 'GraphQL points', aggregation: 'SUM' } });
    const bareMetric = (await gql(server.url, token, define, { input: { key: 'bare_pts', name: 'Bare points', aggregation: 'SUM' } })).defineMetric.id;
    const key = (await gql(server.url, token, `mutation { createApiKey(input: {name: "bench", scopes: [READ, INGEST]}) { secret } }`)).createApiKey.secret;

    // Baseline: the same million points through the hand-written unnest insert.
    let bareMs = 0;
    for (let from = 0; from < rows; from += 10_000) {
      const points = Array.from({ length: Math.min(10_000, rows - from) }, (_, i) => pointOf(from + i, 'bare_pts'));
      const params = [tenantId, ...columnParams({
        metricIds: points.map(() => bareMetric),
        communityIds: points.map(() => null),
        ats: points.map((p) => p.at),
        values: points.map((p) => p.value),
        keys: points.map((p) => p.idempotencyKey),
      })];
      const t0 = process.hrtime.bigint();
      await bare.query(INSERT_POINTS, params);
      bareMs += Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const bareRate = rows / (bareMs / 1000);

    // Import: upload and follow, sampling RSS.
    const file = join(dir, 'points.ndjson');
    await writeNdjson(file, rows, 'imported');
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    const phasesOf = new Map<string, ImportPhases>();
    const hear = (message: unknown) => phasesOf.set((message as ImportPhases).jobId, message as ImportPhases);
    subscribe(importPhases.name, hear);
    const t0 = process.hrtime.bigint();
    const id = await uploadImport({ url: server.url, key }, 'metrics', file);
    const uploadMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const job = await followImport({ url: server.url, key }, id, () => undefined, 50);
    const importMs = Number(process.hrtime.bigint() - t0) / 1e6;
    // The job's status commits with its rows; its phases are published a moment later.
    for (let i = 0; i < 40 && !phasesOf.has(id); i++) await new Promise((r) => setTimeout(r, 50));
    clearInterval(sampler);
    unsubscribe(importPhases.name, hear);
    const phases: ImportPhases = phasesOf.get(id) ?? { jobId: id, checkMs: NaN, writeMs: NaN, eventsMs: NaN, path: 'chunks' };
    const otherMs = importMs - uploadMs - phases.checkMs - phases.writeMs - phases.eventsMs;
    if (job.status !== 'SUCCEEDED' || job.accepted !== rows) throw new Error(`import did not succeed: ${JSON.stringify(job).slice(0, 500)}`);
    const importRate = rows / (importMs / 1000);

    process.stdout.write(`import: ${Math.round(importRate)} points/s against ${Math.round(bareRate)} (${round(importMs / 1000, 2)} s)\n`);
    // recordMetrics through GraphQL, GQL_BATCH points a call (10,000 with keys is just over the 1 MB body limit).
    const mutation = `mutation ($batch: MetricPointBatch!) { recordMetrics(batch: $batch) { accepted duplicates } }`;
    let gqlMs = 0;
    for (let b = 0; b < graphqlBatches; b++) {
      const points = Array.from({ length: GQL_BATCH }, (_, i) => pointOf(b * GQL_BATCH + i, 'gql_pts'));
      const body = JSON.stringify({ query: mutation, variables: { batch: points } });
      const t1 = process.hrtime.bigint();
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const json = (await res.json()) as { data?: { recordMetrics: { accepted: number } }; errors?: unknown };
      if (json.data?.recordMetrics.accepted !== GQL_BATCH) throw new Error(`recordMetrics failed: ${JSON.stringify(json.errors ?? json.data)}`);
      gqlMs += Number(process.hrtime.bigint() - t1) / 1e6;
    }
    const gqlRate = (graphqlBatches * GQL_BATCH) / (gqlMs / 1000);
    const rssGrowthMb = (rssPeak - rssBefore) / 1024 / 1024;
    process.stdout.write(
      `baseline unnest insert: ${Math.round(bareRate)} points/s (${round(bareMs / 1000, 2)} s for ${rows})\n` +
        `import (NDJSON):        ${Math.round(importRate)} points/s (${round(importMs / 1000, 2)} s), RSS +${round(rssGrowthMb, 1)} MB\n` +
        `  phases: upload ${round(uploadMs / 1000, 2)} s, check ${round(phases.checkMs / 1000, 2)} s, write ${round(phases.writeMs / 1000, 2)} s, ` +
        `events ${round(phases.eventsMs / 1000, 2)} s, queue and follow ${round(otherMs / 1000, 2)} s; path ${phases.path}${phases.refused ? ` (refused: ${phases.refused})` : ''}\n` +
        `recordMetrics (GraphQL): ${Math.round(gqlRate)} points/s\n`,
    );
    report({
      bench: 'import',
      rows,
      baselinePointsPerSecond: Math.round(bareRate),
      importPointsPerSecond: Math.round(importRate),
      importSeconds: round(importMs / 1000, 2),
      phaseSeconds: {
        upload: round(uploadMs / 1000, 2),
        check: round(phases.checkMs / 1000, 2),
        write: round(phases.writeMs / 1000, 2),
        events: round(phases.eventsMs / 1000, 2),
        queueAndFollow: round(otherMs / 1000, 2),
      },
      importPath: phases.path,
      importRatio: round(importRate / bareRate),
      rssGrowthMb: round(rssGrowthMb, 1),
      recordMetricsPointsPerSecond: Math.round(gqlRate),
      recordMetricsRatio: round(gqlRate / bareRate),
      goals: { importRatio: 1.5, rssGrowthMb: 150, recordMetricsRatio: 0.5 },
      met: importRate / bareRate >= 1.5 && rssGrowthMb < 150 && gqlRate / bareRate >= 0.5,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await bare.end();
    await server.close();
    await db.close();
  }
}
