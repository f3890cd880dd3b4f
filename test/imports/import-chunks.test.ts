import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from '../../src/modules/imports/import-parsers';
import { importPhases, type ImportPhases } from '../../src/modules/imports/import-phases';
import { ChunkDataReader, chunkLines, MetricRowEncoder } from '../../src/modules/imports/metrics-binary';
import { CHUNK_BYTES } from '../../src/modules/imports/metrics-upload';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, pointsNdjson, postImport, rawPost } from './import-support';

/**
 * Metric NDJSON is checked and encoded while it uploads and staged as binary COPY chunks
 * (import_chunks); the job pipes them into COPY. Here: the chunk format read back in pieces, the
 * chunks turned back into lines, and an upload staged by a node that runs no jobs, then run by
 * one that does (so what was staged can be read between the two).
 */
const NDJSON = 'application/x-ndjson';
const ORG = '6f1c2a8e-2b7d-4a7e-9c1f-0a1b2c3d4e5f';
const METRIC = '9a1c2a8e-2b7d-4a7e-9c1f-0a1b2c3d4e5f';
const COMMUNITY = 'ab1c2a8e-2b7d-4a7e-9c1f-0a1b2c3d4e5f';

describe('import chunks, the format', () => {
  const refs = { tenant: ORG, metrics: new Map([['m', METRIC]]), communities: new Set([COMMUNITY]), latestMs: Date.parse('2030-01-01T00:00:00Z') };
  const rows = [
    { metricKey: 'm', value: 1.5, at: '2026-01-01T00:00:00Z', idempotencyKey: 'a-é' },
    { metricKey: 'm', value: '-0.0', at: '2026-01-01T10:00:00.5+02:00', communityId: COMMUNITY.toUpperCase() },
    { metricKey: 'm', value: 1e-299, at: '1970-01-01T00:00:00.000001Z' },
  ];

  it('turns encoded rows back into lines the SQL path reads as the same points', () => {
    const encoder = new MetricRowEncoder(refs, 1024, false);
    for (const r of rows) expect(encoder.add(JSON.stringify(r))).toBeNull();
    const data = encoder.take()!;
    const lines = Buffer.alloc(12);
    [3, 7, 8].forEach((n, i) => lines.writeInt32BE(n, i * 4));
    const back: Array<[number, unknown]> = [];
    chunkLines(data, lines, { [METRIC]: 'm' }, (line, raw) => back.push([line, JSON.parse(raw)]));
    expect(back).toEqual([
      [3, { metricKey: 'm', value: 1.5, at: '2026-01-01T00:00:00.000000Z', idempotencyKey: 'a-é' }],
      [7, { metricKey: 'm', value: '-0', at: '2026-01-01T08:00:00.500000Z', communityId: COMMUNITY }],
      [8, { metricKey: 'm', value: 1e-299, at: '1970-01-01T00:00:00.000001Z' }],
    ]);
    // A line made from a chunk is one node vouches for again, encoded to the same bytes.
    const again = new MetricRowEncoder(refs, 1024, false);
    chunkLines(data, lines, { [METRIC]: 'm' }, (_line, raw) => expect(again.add(raw)).toBeNull());
    expect(again.take()).toEqual(data);
  });

  it('reads the COPY-out of (rows, data) in any pieces, passing data on as it is', () => {
    const datas = [Buffer.from('first chunk of rows'), Buffer.alloc(0), Buffer.alloc(70_000, 7)];
    const tuple = (rows: number, data: Buffer) => {
      const head = Buffer.alloc(14);
      head.writeInt16BE(2, 0);
      head.writeInt32BE(4, 2);
      head.writeInt32BE(rows, 6);
      head.writeInt32BE(data.length, 10);
      return Buffer.concat([head, data]);
    };
    const out = Buffer.concat([COPY_BINARY_HEADER, ...datas.map((d, i) => tuple(i + 10, d)), COPY_BINARY_TRAILER]);
    for (const step of [1, 3, 14, 1000, out.length]) {
      const reader = new ChunkDataReader();
      const parts: Buffer[] = [];
      const done: number[] = [];
      for (let i = 0; i < out.length; i += step) reader.feed(out.subarray(i, i + step), (p) => parts.push(p), (n) => done.push(n));
      expect(Buffer.concat(parts)).toEqual(Buffer.concat(datas));
      expect(done).toEqual([10, 11, 12]);
    }
  });
});

describe('import chunks, staged by the upload', () => {
  let db: TestDatabase;
  let uploads: TestServer;
  let acme: Tenant;
  let key: string;
  const phases = new Map<string, ImportPhases>();
  const hear = (message: unknown) => phases.set((message as ImportPhases).jobId, message as ImportPhases);

  beforeAll(async () => {
    subscribe(importPhases.name, hear);
    db = await createTestDatabase();
    uploads = await startTestServer({}, { db, jobs: false });
    acme = await signUp(uploads, 'Acme');
    for (const k of ['kept', 'gone', 'late']) {
      await acme.client.data(`mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`, { input: { key: k, name: k, aggregation: 'SUM' } });
    }
    key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
  });
  afterAll(async () => {
    unsubscribe(importPhases.name, hear);
    await uploads?.close();
    await db?.drop();
  });

  const staged = async (jobId: string) =>
    (
      await uploads.ds.query(
        `SELECT (SELECT count(*) FROM import_chunks WHERE job_id = $1)::int AS chunks, (SELECT coalesce(sum(rows), 0) FROM import_chunks WHERE job_id = $1)::int AS "chunkRows",
           (SELECT count(*) FROM import_rows WHERE job_id = $1)::int AS lines, (SELECT min(line) FROM import_rows WHERE job_id = $1) AS "firstLine"`,
        [jobId],
      )
    )[0];

  /** Runs the queued jobs on a second node of the same database; answers the job. */
  async function runJob(id: string): Promise<{ job: any; phases: ImportPhases }> {
    const worker = await startTestServer({}, { db });
    try {
      const job = await finished(worker.client().withHeaders({ 'x-api-key': key }), id, 120_000);
      for (let i = 0; i < 100 && !phases.has(id); i++) await new Promise((r) => setTimeout(r, 50));
      return { job, phases: phases.get(id)! };
    } finally {
      await worker.close();
    }
  }

  it('stages checked rows as chunks of about a MiB, lines from the first one node does not vouch for, and the job writes both', async () => {
    // About 2.5 MiB of rows: three chunks, then a time PostgreSQL rounds (a form left to SQL), then more rows.
    const rows = pointsNdjson(30_000, 'kept', 'kept').trimEnd().split('\n');
    rows[27_999] = JSON.stringify({ metricKey: 'kept', value: 5, at: '2026-03-01T00:00:00.1234567Z', idempotencyKey: 'kept-27999' });
    const id = (await postImport(uploads.url, 'kind=metrics', NDJSON, rows.join('\n'), key)).json.id;
    const s = await staged(id);
    expect(s).toEqual({ chunks: expect.any(Number), chunkRows: 27_999, lines: 2001, firstLine: 28_000 });
    expect(s.chunks).toBeGreaterThan(Math.floor((27_999 * 80) / CHUNK_BYTES));
    const { job, phases: p } = await runJob(id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rows: 30_000, accepted: 30_000, duplicates: 0 });
    expect(p).toMatchObject({ path: 'sql', refused: 'line 28000: at' });
    const [stored] = await uploads.ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys, sum(value)::int AS total FROM metric_points p JOIN metric_definitions d ON d.id = p.metric_id WHERE d.key = 'kept'`,
    );
    expect(stored).toEqual({ n: 30_000, keys: 30_000, total: 135_000 - 9 + 5 });
    expect(await staged(id)).toEqual({ chunks: 0, chunkRows: 0, lines: 0, firstLine: null });
  }, 180_000);

  it('a metric deleted between the upload and the job: the job names the lines and writes nothing', async () => {
    const body = pointsNdjson(20_000, 'late', 'late') + pointsNdjson(3, 'gone', 'gone');
    const id = (await postImport(uploads.url, 'kind=metrics', NDJSON, body, key)).json.id;
    expect(await staged(id)).toMatchObject({ chunkRows: 20_003, lines: 0 });
    await uploads.ds.query(`DELETE FROM metric_definitions WHERE organization_id = $1 AND key = 'gone'`, [acme.organizationId]);
    const { job, phases: p } = await runJob(id);
    expect(job).toMatchObject({ status: 'FAILED', accepted: 0 });
    expect(job.errors.map((e: { line: number }) => e.line)).toEqual([20_001, 20_002, 20_003]);
    expect(job.errors[0].message).toMatch(/^metricKey: 'gone'/);
    expect(p.refused).toBe('a metric or community of the file was deleted after the upload');
    const [points] = await uploads.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE organization_id = $1`, [acme.organizationId]);
    expect(points.n).toBe(30_000);
  }, 180_000);

  it('a client that disconnects mid-upload leaves no job and no chunks', async () => {
    const [before] = await uploads.ds.query(`SELECT count(*)::int AS n FROM import_jobs`);
    const part = pointsNdjson(40_000, 'kept', 'cut');
    const aborted = rawPost(uploads.url, '/v1/imports?kind=metrics', { 'content-type': NDJSON, 'x-api-key': key, 'content-length': part.length * 2 }, (req) => {
      req.write(part);
      setTimeout(() => req.destroy(), 500);
    }).catch(() => 'aborted');
    expect(await aborted).toBe('aborted');
    await new Promise((r) => setTimeout(r, 500));
    const [after] = await uploads.ds.query(`SELECT count(*)::int AS n FROM import_jobs`);
    expect(after.n).toBe(before.n);
    const [left] = await uploads.ds.query(`SELECT (SELECT count(*) FROM import_chunks)::int + (SELECT count(*) FROM import_rows)::int AS n`);
    expect(left.n).toBe(0);
  });
});
