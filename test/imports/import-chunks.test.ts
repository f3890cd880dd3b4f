import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { COPY_BINARY_HEADER } from '../../src/modules/imports/import-parsers';
import type { ImportPhases } from '../../src/modules/imports/import-phases';
import { ChunkDataReader, StagedLineReader } from '../../src/modules/imports/metrics-binary';
import { CHUNK_BYTES } from '../../src/modules/imports/metrics-upload';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, hearImportPhases, pointsNdjson, postImport, uploadCutShort } from './import-support';

/**
 * Metric NDJSON is staged a MiB of lines a row (import_chunks), as COPY tuples (line, raw); the
 * job reads them back as it reads import_rows. Here: the chunk format read back in pieces, and
 * uploads staged by a node that runs no jobs, then run by one that does (so what was staged can
 * be read between the two).
 */
const NDJSON = 'application/x-ndjson';

describe('import chunks, staged by the upload', () => {
  let db: TestDatabase;
  let uploads: TestServer;
  let acme: Tenant;
  let key: string;
  const phases = hearImportPhases();

  beforeAll(async () => {
    db = await createTestDatabase();
    uploads = await startTestServer({}, { db, jobs: false });
    acme = await signUp(uploads, 'Acme');
    for (const k of ['kept', 'gone', 'late']) {
      await acme.client.data(`mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`, { input: { key: k, name: k, aggregation: 'SUM' } });
    }
    key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
  });
  afterAll(async () => {
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
      return { job, phases: (await phases.of(id))! };
    } finally {
      await worker.close();
    }
  }

  it('stages the lines in chunks of about a MiB; a line the binary path leaves to SQL: the chunks are unpacked into lines', async () => {
    // About 3 MiB of lines, and a time PostgreSQL rounds (a form left to SQL) near the end.
    const rows = pointsNdjson(30_000, 'kept', 'kept').trimEnd().split('\n');
    rows[27_999] = JSON.stringify({ metricKey: 'kept', value: 5, at: '2026-03-01T00:00:00.1234567Z', idempotencyKey: 'kept-27999' });
    const id = (await postImport(uploads.url, 'kind=metrics', NDJSON, rows.join('\n'), key)).json.id;
    const s = await staged(id);
    expect(s).toEqual({ chunks: expect.any(Number), chunkRows: 30_000, lines: 0, firstLine: null });
    expect(s.chunks).toBeGreaterThan(2);
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
    expect(await staged(id)).toMatchObject({ chunks: expect.any(Number), chunkRows: 20_003, lines: 0 });
    await uploads.ds.query(`DELETE FROM metric_definitions WHERE organization_id = $1 AND key = 'gone'`, [acme.organizationId]);
    const { job, phases: p } = await runJob(id);
    expect(job).toMatchObject({ status: 'FAILED', accepted: 0 });
    expect(job.errors.map((e: { line: number }) => e.line)).toEqual([20_001, 20_002, 20_003]);
    expect(job.errors[0].message).toMatch(/^metricKey: 'gone'/);
    expect(p).toMatchObject({ path: 'chunks', refused: 'line 20001: metricKey' });
    expect(await staged(id)).toEqual({ chunks: 0, chunkRows: 0, lines: 0, firstLine: null });
    const [points] = await uploads.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE organization_id = $1`, [acme.organizationId]);
    expect(points.n).toBe(30_000);
  }, 180_000);

  it('a client that disconnects mid-upload leaves no job and no chunks', async () => {
    const [before] = await uploads.ds.query(`SELECT count(*)::int AS n FROM import_jobs`);
    const part = pointsNdjson(40_000, 'kept', 'cut');
    expect(await uploadCutShort(uploads.url, key, part, 500)).toBe('aborted');
    await new Promise((r) => setTimeout(r, 500));
    const [after] = await uploads.ds.query(`SELECT count(*)::int AS n FROM import_jobs`);
    expect(after.n).toBe(before.n);
    const [left] = await uploads.ds.query(`SELECT (SELECT count(*) FROM import_chunks)::int + (SELECT count(*) FROM import_rows)::int AS n`);
    expect(left.n).toBe(0);
  });

  it('chunks hold the lines as COPY tuples (line, raw), read back in any pieces', async () => {
    const long = (c: string) => `{"${c}":"${c.repeat(CHUNK_BYTES * 0.6)}"}`;
    const body = `{"a":1}\n\n{"b":"é"}\r\n${long('c')}\n${long('d')}\n{"e":5}`;
    const id = (await postImport(uploads.url, 'kind=metrics', NDJSON, body, key)).json.id;
    expect(await staged(id)).toMatchObject({ chunks: 2, chunkRows: 5, lines: 0 });
    const owner = new Client({ connectionString: db.url });
    await owner.connect();
    const parts: Buffer[] = [];
    try {
      const out = owner.query(copyTo(`COPY (SELECT rows, data FROM import_chunks WHERE job_id = '${id}' ORDER BY seq) TO STDOUT (FORMAT binary)`));
      await pipeline(out, new Writable({ write: (chunk: Buffer, _enc, done) => { parts.push(chunk); done(); } }));
    } finally {
      await owner.end();
    }
    const copied = Buffer.concat(parts);
    for (const step of [1, 13, 1000, 65_536, copied.length]) {
      const reader = new ChunkDataReader();
      const data: Buffer[] = [COPY_BINARY_HEADER];
      const rows: number[] = [];
      for (let i = 0; i < copied.length; i += step) reader.feed(copied.subarray(i, i + step), (part) => data.push(part), (n) => rows.push(n));
      expect(rows).toEqual([4, 1]); // a chunk is cut once a MiB is reached: the long line is never split
      const lines: Array<[number, string]> = [];
      new StagedLineReader().feed(Buffer.concat(data), (line, raw) => lines.push([line, raw]) > 0);
      expect(lines).toEqual([[1, '{"a":1}'], [3, '{"b":"é"}'], [4, long('c')], [5, long('d')], [6, '{"e":5}']]);
    }
  });
});
