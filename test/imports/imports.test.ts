import { apiKey, signUp, type Tenant } from '../support/builders';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, JOB, pointsNdjson, postImport, rawPost, uploadCutShort } from './import-support';

const NDJSON = 'application/x-ndjson';
const DEFINE = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`;
const SERIES = `query ($key: String!) { metricSeries(metricKey: $key, from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: MONTH) { value count } }`;

describe('POST /v1/imports (metrics)', () => {
  let t: TestServer;
  let acme: Tenant;
  let ingest: GraphQLClient;
  let key: string;

  beforeAll(async () => {
    t = await startTestServer();
    acme = await signUp(t, 'Acme');
    await acme.client.data(DEFINE, { input: { key: 'hours', name: 'Hours', aggregation: 'SUM' } });
    key = (await apiKey(acme, ['INGEST'])).secret;
    ingest = t.client().withHeaders({ 'x-api-key': key });
  });
  afterAll(() => t.close());

  async function points(metricKey = 'hours'): Promise<number> {
    const [row] = await t.ds.query(
      `SELECT count(*)::int AS n FROM metric_points p JOIN metric_definitions d ON d.id = p.metric_id AND d.organization_id = p.organization_id WHERE d.key = $1 AND p.organization_id = $2`,
      [metricKey, acme.organizationId],
    );
    return row.n;
  }

  it('imports NDJSON all at once, and the same file again writes nothing new', async () => {
    const body = pointsNdjson(50, 'hours', 'first') + '\n';
    const posted = await postImport(t.url, 'kind=metrics', NDJSON, body, key);
    expect(posted.status).toBe(202);
    expect(posted.json).toEqual({ id: expect.any(String), status: 'QUEUED' });
    const job = await finished(ingest, posted.json.id);
    expect(job).toMatchObject({ kind: 'METRICS', status: 'SUCCEEDED', rows: 50, processed: 50, accepted: 50, duplicates: 0, errors: [] });
    expect(job.startedAt).not.toBeNull();
    expect(job.finishedAt).not.toBeNull();
    const { metricSeries } = await acme.client.data(SERIES, { key: 'hours' });
    expect(metricSeries[0]).toEqual({ value: (45 * 5), count: 50 });

    const again = await postImport(t.url, 'kind=metrics', NDJSON, body, key);
    expect(await finished(ingest, again.json.id)).toMatchObject({ status: 'SUCCEEDED', accepted: 0, duplicates: 50 });
    expect(await points()).toBe(50);
    // Staged rows are gone once the job finished.
    const [staged] = await t.ds.query(`SELECT count(*)::int AS n FROM import_rows`);
    expect(staged.n).toBe(0);
  });

  it('imports CSV with a header; a bad row fails the job with its line (header = line 1) and field, writing nothing', async () => {
    await acme.client.data(DEFINE, { input: { key: 'spend', name: 'Spend', aggregation: 'SUM' } });
    const good = 'metricKey,value,at,idempotencyKey\nspend,10,2026-01-05T00:00:00Z,s1\n"spend","2.5",2026-01-06T10:00:00+02:00,\n';
    const ok = await postImport(t.url, 'kind=metrics', 'text/csv; charset=utf-8', good, key);
    expect(await finished(ingest, ok.json.id)).toMatchObject({ status: 'SUCCEEDED', rows: 2, accepted: 2 });

    const bad = 'metricKey,value,at\nspend,1,2026-01-07T00:00:00Z\nspend,lots,2026-01-08T00:00:00Z\nspend,1,2026-02-30T00:00:00Z\nnope,1,2026-01-09T00:00:00Z\n';
    const failed = await finished(ingest, (await postImport(t.url, 'kind=metrics', 'text/csv', bad, key)).json.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.accepted).toBe(0);
    expect(failed.errors).toEqual([
      { line: 3, message: 'value: must be a number' },
      { line: 4, message: "at: '2026-02-30T00:00:00Z' is not a date that exists" },
      { line: 5, message: "metricKey: 'nope' is not a defined metric (define it with defineMetric)" },
    ]);
    expect(await points('spend')).toBe(2);
  });

  it('a bad last row of a file of several chunks fails the whole job and writes nothing', async () => {
    await acme.client.data(DEFINE, { input: { key: 'bulk', name: 'Bulk', aggregation: 'SUM' } });
    const rows = 60_001;
    const body = pointsNdjson(rows - 1, 'bulk', 'bulk') + '{"metricKey":"bulk","value":1,"at":"2026-01-01T00:00:00Z","extra":true}\n';
    const job = await finished(ingest, (await postImport(t.url, 'kind=metrics', NDJSON, body, key)).json.id, 120_000);
    expect(job).toMatchObject({ status: 'FAILED', rows, accepted: 0 });
    expect(job.errors).toEqual([{ line: rows, message: "unknown field 'extra' (fields: metricKey, value, at, communityId, idempotencyKey)" }]);
    expect(await points('bulk')).toBe(0);
  }, 120_000);

  it('keeps the first of an idempotency key given twice in one file', async () => {
    const body = ['a', 'b', 'a'].map((k, i) => JSON.stringify({ metricKey: 'hours', value: i, at: '2026-01-20T00:00:00Z', idempotencyKey: `twice-${k}` })).join('\n');
    const job = await finished(ingest, (await postImport(t.url, 'kind=metrics', NDJSON, body, key)).json.id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rows: 3, processed: 3, accepted: 2, duplicates: 1 });
    const [row] = await t.ds.query(`SELECT value FROM metric_points WHERE idempotency_key = 'twice-a'`);
    expect(row.value).toBe(0);
  });

  it('lists at most 100 errors, in line order', async () => {
    const body = Array.from({ length: 150 }, (_, i) => `{"metricKey":"hours","value":"x${i}","at":"2026-01-01T00:00:00Z"}`).join('\n');
    const job = await finished(ingest, (await postImport(t.url, 'kind=metrics', NDJSON, body, key)).json.id);
    expect(job.status).toBe('FAILED');
    expect(job.errors).toHaveLength(100);
    expect(job.errors[0]).toEqual({ line: 1, message: 'value: must be a number' });
    expect(job.errors[99].line).toBe(100);
  });

  it('answers a bad request with a 4xx and the usual error body', async () => {
    const body = pointsNdjson(1, 'hours', 'x');
    const cases: Array<[string, string, string | undefined, number, string]> = [
      ['kind=widgets', NDJSON, key, 400, 'BAD_USER_INPUT'],
      ['', NDJSON, key, 400, 'BAD_USER_INPUT'],
      ['kind=metrics', 'application/json', key, 415, 'BAD_USER_INPUT'],
      ['kind=metrics', NDJSON, undefined, 401, 'UNAUTHENTICATED'],
      ['kind=metrics', NDJSON, 'rr_not-a-real-key-at-all-0000000000000000', 401, 'UNAUTHENTICATED'],
      ['kind=metrics', NDJSON, (await apiKey(acme, ['READ', 'WRITE'], 'reader')).secret, 403, 'FORBIDDEN'],
    ];
    for (const [query, type, credential, status, code] of cases) {
      const res = await postImport(t.url, query, type, body, credential);
      expect({ query, status: res.status, code: res.json.errors?.[0]?.extensions?.code }).toEqual({ query, status, code });
      expect(res.json.errors[0].message).toEqual(expect.any(String));
    }
    const csvHeader = await postImport(t.url, 'kind=metrics', 'text/csv', 'metricKey,when,value\n', key);
    expect(csvHeader.status).toBe(400);
    expect(csvHeader.json.errors[0].message).toMatch(/unknown column 'when'/);
    const empty = await postImport(t.url, 'kind=metrics', NDJSON, '\n\n', key);
    expect(empty.status).toBe(400);
    const tooLarge = await rawPost(t.url, '/v1/imports?kind=metrics', { 'content-type': NDJSON, 'x-api-key': key, 'content-length': 1024 ** 3 + 1 }, (req) => req.end());
    expect(tooLarge).toBe(413);
    const [jobs] = await t.ds.query(`SELECT count(*)::int AS n FROM import_jobs WHERE status = 'QUEUED'`);
    expect(jobs.n).toBe(0);
  });

  it('a client that disconnects mid-upload leaves no job and no rows', async () => {
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM import_jobs`);
    const half = pointsNdjson(2000, 'hours', 'gone');
    expect(await uploadCutShort(t.url, key, half, 300)).toBe('aborted');
    await new Promise((r) => setTimeout(r, 500));
    const after = await t.ds.query(`SELECT count(*)::int AS n FROM import_jobs`);
    expect(after[0].n).toBe(before[0].n);
    const [staged] = await t.ds.query(`SELECT count(*)::int AS n FROM import_rows`);
    expect(staged.n).toBe(0);
  });

  it('importJob and importJobs answer READ or INGEST, and another tenant’s job is unknown', async () => {
    const id = (await postImport(t.url, 'kind=metrics', NDJSON, pointsNdjson(3, 'hours', 'scopes'), key)).json.id;
    await finished(ingest, id);
    const reader = t.client().withHeaders({ 'x-api-key': (await apiKey(acme, ['READ'], 'r')).secret });
    expect((await reader.data(JOB, { id })).importJob.id).toBe(id);
    const writer = t.client().withHeaders({ 'x-api-key': (await apiKey(acme, ['WRITE'], 'w')).secret });
    expect((await writer.error(JOB, { id })).extensions?.code).toBe('FORBIDDEN');
    const page = await reader.data(`{ importJobs(first: 100) { totalCount edges { node { id } } pageInfo { hasNextPage } } }`);
    expect(page.importJobs.edges.map((e: any) => e.node.id)).toContain(id);

    const globex = await signUp(t, 'Globex');
    expect((await globex.client.data(JOB, { id })).importJob).toBeNull();
    expect((await globex.client.data(JOB, { id: '00000000-0000-4000-8000-000000000000' })).importJob).toBeNull();
    expect((await globex.client.data(`{ importJobs { totalCount edges { node { id } } } }`)).importJobs).toEqual({ totalCount: 0, edges: [] });
  });
});
