import { Client } from 'pg';
import { LiveClient, waitUntil } from '../live/support/live';
import { startNode, type Child } from '../live/support/processes';
import { apiKey, signUp } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, pointsNdjson, postImport } from './import-support';

const NDJSON = 'application/x-ndjson';
const DEFINE = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { id } }`;
const SESSION_SECRET = 'test-secret-that-is-long-enough-for-hs256';

describe('import jobs live', () => {
  let t: TestServer;
  afterAll(() => t?.close());

  it('importJobUpdated streams the job to its end, progress included, and the import publishes coalesced metric events', async () => {
    t = await startTestServer();
    const acme = await signUp(t, 'Acme');
    await acme.client.data(DEFINE, { input: { key: 'visits', name: 'Visits', aggregation: 'SUM' } });
    const key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
    const live = new LiveClient(t.url, `Bearer ${acme.token}`);
    const updates = live.subscribe(`subscription { metricUpdated(metricKey: "visits") { metricKey at value } }`);
    await waitUntil(async () => t.server.app.pubsub.listenerCount() > 0, 'the metric subscription');
    const rows = 120_000;
    const id = (await postImport(t.url, 'kind=metrics', NDJSON, pointsNdjson(rows, 'visits', 'live'), key)).json.id;
    const job = live.subscribe(`subscription ($id: ID!) { importJobUpdated(id: $id) { id status processed accepted } }`, { id });
    await waitUntil(() => job.completed || job.error !== undefined, 'the job subscription to complete', 120_000);
    expect(job.error).toBeUndefined();
    const states = job.data.map((d) => d.importJobUpdated);
    expect(states.at(-1)).toMatchObject({ id, status: 'SUCCEEDED', processed: rows, accepted: rows });
    // A million points would be a handful of events: here one point per UTC day written (84 days).
    await waitUntil(() => updates.data.length >= 84, 'the coalesced metric updates', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(updates.data.length).toBe(84);
    expect(updates.data.at(-1).metricUpdated).toEqual({ metricKey: 'visits', at: new Date(Date.parse('2026-01-01T00:00:00Z') + (rows - 1) * 60_000).toISOString(), value: (rows - 1) % 10 });
    const unknown = live.subscribe(`subscription { importJobUpdated(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    await waitUntil(() => unknown.results.length > 0 || unknown.error !== undefined, 'the unknown job to be refused');
    expect(unknown.results[0]?.errors?.[0]?.extensions?.code ?? (unknown.error as any)?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await live.dispose();
  }, 180_000);
});

describe('an import interrupted by a crash', () => {
  let db: TestDatabase;
  const children: Child[] = [];
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop('SIGKILL')));
    await db?.drop();
  });

  it('writes nothing half, and runs again to the end on another node', async () => {
    db = await createTestDatabase();
    const a = await startNode({ DATABASE_URL: db.url, SESSION_SECRET });
    children.push(a.child);
    const graphql = { client: (token?: string) => new GraphQLClient(`${a.url}/graphql`, token) } as unknown as TestServer;
    const acme = await signUp(graphql, 'Acme');
    await acme.client.data(DEFINE, { input: { key: 'crash', name: 'Crash', aggregation: 'SUM' } });
    const key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
    const rows = 400_000; // a few seconds of work even on a quiet machine, so the crash lands mid-job
    const id = (await postImport(a.url, 'kind=metrics', NDJSON, pointsNdjson(rows, 'crash', 'crash'), key)).json.id;
    const owner = new Client({ connectionString: db.url });
    await owner.connect();
    try {
      // Watched in PostgreSQL (the progress the job writes), not through the API: polling every 5 ms
      // would spend the key's rate limit (1,200 a minute) before a slow job shows progress.
      await waitUntil(async () => {
        const { rows: [job] } = await owner.query(`SELECT status, processed FROM import_jobs WHERE id = $1`, [id]);
        if (job.status !== 'QUEUED' && job.status !== 'RUNNING') throw new Error(`the job ended (${job.status}) before the crash`);
        return job.status === 'RUNNING' && job.processed > 0;
      }, 'the job to be running', 60_000);
      await a.child.stop('SIGKILL');

      const written = async () => (await owner.query(`SELECT count(*)::int AS n FROM metric_points`)).rows[0].n as number;
      expect(await written()).toBe(0);
      const b = await startNode({ DATABASE_URL: db.url, SESSION_SECRET });
      children.push(b.child);
      const onB = new GraphQLClient(`${b.url}/graphql`).withHeaders({ 'x-api-key': key });
      const job = await finished(onB, id, 180_000).catch((error: Error) => {
        throw new Error(`${error.message}\nnode b:\n${b.child.output().slice(-3000)}`);
      });
      expect(job).toMatchObject({ status: 'SUCCEEDED', rows, processed: rows, accepted: rows, duplicates: 0 });
      expect(await written()).toBe(rows);
    } finally {
      await owner.end();
    }
  }, 300_000);
});
