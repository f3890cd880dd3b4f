import type { ImportPhases } from '../../src/modules/imports/import-phases';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, hearImportPhases, pointsNdjson, postImport } from './import-support';

/**
 * The binary path of metric imports (checked in node, binary COPY, no idempotency probe) and the
 * ways it leaves for the SQL path: the path each job took is read from the `importPhases`
 * diagnostics channel, never from timing.
 */
const NDJSON = 'application/x-ndjson';
const DEFINE = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`;

describe('metric imports: the binary path', () => {
  let t: TestServer;
  let acme: Tenant;
  let ingest: GraphQLClient;
  let key: string;
  const phases = hearImportPhases();

  beforeAll(async () => {
    t = await startTestServer();
    acme = await signUp(t, 'Acme');
    for (const k of ['fast', 'slow', 'twice', 'again', 'bad', 'odd']) {
      await acme.client.data(DEFINE, { input: { key: k, name: k, aggregation: 'SUM' } });
    }
    key = (await apiKey(acme, ['INGEST'])).secret;
    ingest = t.client().withHeaders({ 'x-api-key': key });
  });
  afterAll(() => t.close());

  /** Imports `body` and answers the finished job with the path it took. */
  async function importFile(body: string, contentType = NDJSON): Promise<{ job: any; phases: ImportPhases }> {
    const posted = await postImport(t.url, 'kind=metrics', contentType, body, key);
    expect(posted.status).toBe(202);
    const job = await finished(ingest, posted.json.id);
    return { job, phases: (await phases.of(posted.json.id))! };
  }

  /** The stored points of a metric, in a comparable form. */
  async function stored(metricKey: string): Promise<Array<{ at: string; value: number; community: string | null; key: string | null }>> {
    return t.ds.query(
      `SELECT to_char(p.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at, p.value, p.community_id AS community,
         regexp_replace(p.idempotency_key, '^[a-z]+-', '') AS key
       FROM metric_points p JOIN metric_definitions d ON d.organization_id = p.organization_id AND d.id = p.metric_id
       WHERE p.organization_id = $1 AND d.key = $2 ORDER BY p.at, p.value, key`,
      [acme.organizationId, metricKey],
    );
  }

  it('writes what the SQL path writes, for every form it vouches for', async () => {
    const community = (await acme.client.data(`mutation { createCommunity(input: {name: "Forum", platform: "discourse"}) { id } }`)).createCommunity.id;
    const rows = (metricKey: string) =>
      [
        { value: 1.5, at: '2026-01-01T00:00:00Z' },
        { value: 'NEG0', at: '2026-01-01T10:00:00.5Z' },
        { value: '-0.0', at: '2026-01-01T11:00:00.5Z' },
        { value: 0, at: '2026-01-01T10:00:00.123456Z', communityId: community.toUpperCase() },
        { value: '2.50', at: '2026-01-02T01:30:00+02:00', communityId: community },
        { value: '-1e-5', at: '2026-01-02T23:59:59.000001-05:30' },
        { value: 123456789.123456789, at: '2026-02-28T12:00:00Z', idempotencyKey: null },
        { value: 999_999_999_999_999, at: '2024-02-29T00:00:00Z', communityId: null },
        { value: 1e-299, at: '1970-01-01T00:00:00Z' },
      ].map((r, i) => JSON.stringify({ metricKey, ...r, ...(r.idempotencyKey === null ? {} : { idempotencyKey: `${metricKey}-é${i}` }) }).replace('"NEG0"', '-0'));
    const fast = await importFile(rows('fast').join('\n'));
    expect(fast.job).toMatchObject({ status: 'SUCCEEDED', rows: 9, accepted: 9, duplicates: 0 });
    expect({ path: fast.phases.path, refused: fast.phases.refused ?? null }).toEqual({ path: 'binary', refused: null });
    expect(fast.phases.refused).toBeUndefined();
    // The same rows and one time of 7 fractional digits (PostgreSQL rounds it): the SQL path.
    const slow = await importFile([...rows('slow'), JSON.stringify({ metricKey: 'slow', value: 7, at: '2026-03-01T00:00:00.1234567Z' })].join('\n'));
    expect(slow.job).toMatchObject({ status: 'SUCCEEDED', rows: 10, accepted: 10, duplicates: 0 });
    expect(slow.phases).toMatchObject({ path: 'sql', refused: 'line 10: at' });
    const slowRows = await stored('slow');
    expect(slowRows.pop()).toEqual({ at: '2026-03-01T00:00:00.123457', value: 7, community: null, key: null });
    expect(await stored('fast')).toEqual(slowRows);
    // Zeros are stored as the SQL path stores them: a JSON -0 as 0 (jsonb reads it as a numeric), a string '-0.0' as -0.
    const zeros = await t.ds.query(`SELECT idempotency_key AS k, value::text AS v FROM metric_points WHERE idempotency_key IN ('fast-é1', 'fast-é2') ORDER BY 1`);
    expect(zeros).toEqual([{ k: 'fast-é1', v: '0' }, { k: 'fast-é2', v: '-0' }]);
  });

  it('a key given twice in one file: the SQL path keeps the first, as before', async () => {
    const body = pointsNdjson(20, 'twice', 'tw') + JSON.stringify({ metricKey: 'twice', value: 99, at: '2026-02-01T00:00:00Z', idempotencyKey: 'tw-3' });
    const { job, phases: p } = await importFile(body);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rows: 21, processed: 21, accepted: 20, duplicates: 1 });
    expect(p.path).toBe('chunks');
    expect(p.refused).toMatch(/^23505/);
    const [row] = await t.ds.query(`SELECT value FROM metric_points WHERE organization_id = $1 AND idempotency_key = 'tw-3'`, [acme.organizationId]);
    expect(row.value).toBe(3);
  });

  it('a file imported twice, and one that overlaps it: keys already there are skipped', async () => {
    // Long enough that the unique index refuses the second import while its COPY out still streams.
    const first = await importFile(pointsNdjson(20_000, 'again', 'ag'));
    expect(first.job).toMatchObject({ status: 'SUCCEEDED', accepted: 20_000, duplicates: 0 });
    expect(first.phases.path).toBe('binary');
    const second = await importFile(pointsNdjson(20_000, 'again', 'ag'));
    expect(second.job).toMatchObject({ status: 'SUCCEEDED', accepted: 0, duplicates: 20_000 });
    expect(second.phases).toMatchObject({ path: 'sql', refused: expect.stringMatching(/^23505/) });
    const third = await importFile(pointsNdjson(20_010, 'again', 'ag'));
    expect(third.job).toMatchObject({ status: 'SUCCEEDED', accepted: 10, duplicates: 20_000 });
    expect((await stored('again')).length).toBe(20_010);
  }, 180_000);

  it('a bad row fails the job with its line and field and writes nothing', async () => {
    const staged = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM import_rows`))[0].n;
    // Refused early in a long file: the COPY out of staging is cancelled mid-way.
    const lines = pointsNdjson(30_000, 'bad', 'bad').trimEnd().split('\n');
    lines[49] = JSON.stringify({ metricKey: 'bad', value: 'lots', at: '2026-01-01T00:00:00Z' });
    const { job, phases: p } = await importFile(lines.join('\n'));
    expect(job).toMatchObject({ status: 'FAILED', rows: 30_000, accepted: 0 });
    expect(job.errors).toEqual([{ line: 50, message: 'value: must be a number' }]);
    expect(p).toMatchObject({ path: 'chunks', refused: 'line 50: value' });
    expect(await stored('bad')).toEqual([]);
    expect(await staged()).toBe(0);

    const csv = `metricKey,value,at\nbad,1,2026-01-01T00:00:00Z\nbad,2,2026-02-30T00:00:00Z\n`;
    const failed = await importFile(csv, 'text/csv');
    expect(failed.job.errors).toEqual([{ line: 3, message: "at: '2026-02-30T00:00:00Z' is not a date that exists" }]);
    expect(failed.phases).toMatchObject({ path: 'chunks', refused: 'line 3: at' });
    expect(await stored('bad')).toEqual([]);
  }, 120_000);

  it('odd times take the SQL path, which stores them as PostgreSQL reads them', async () => {
    const odd = ['2026-01-05T10:00:00.0000005Z', '2026-01-05 10:00:00Z', '2026-01-05t11:00:00z', '2026-01-05T12:00:00+15:30'];
    for (const [i, at] of odd.entries()) {
      const { job, phases: p } = await importFile(JSON.stringify({ metricKey: 'odd', value: i, at, idempotencyKey: `odd-${i}` }));
      expect(job).toMatchObject({ status: 'SUCCEEDED', accepted: 1 });
      expect(p).toMatchObject({ path: 'sql', refused: 'line 1: at' });
      const [same] = await t.ds.query(`SELECT at = $1::timestamptz AS same FROM metric_points WHERE idempotency_key = $2`, [at, `odd-${i}`]);
      expect(same.same).toBe(true);
    }
  });

  it('counts for the ROI report cache: a report asked before the import shows it after', async () => {
    const DAY = 86_400_000;
    const today = Math.floor(Date.now() / DAY) * DAY;
    const vars = { from: new Date(today - DAY).toISOString(), to: new Date(today + DAY).toISOString() };
    const REPORT = `query ($from: DateTime!, $to: DateTime!) { roi(from: $from, to: $to, interval: DAY) { variables { name value } } }`;
    const hours = (report: any) => report.roi.variables.find((v: { name: string }) => v.name === 'hours_invested').value;
    expect(hours(await acme.client.data(REPORT, vars))).toBe(0);
    const { phases: p } = await importFile(JSON.stringify({ metricKey: 'hours_invested', value: 12, at: new Date(today + 3_600_000).toISOString() }));
    expect(p.path).toBe('binary');
    expect(hours(await acme.client.data(REPORT, vars))).toBe(12);
  });
});
