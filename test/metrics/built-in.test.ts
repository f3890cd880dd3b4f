import { TenantSession } from '../../src/db/tenant';
import { aggregateMetrics, type AggregateRow } from '../../src/modules/metrics/metric-engine';
import { resolveMetrics } from '../../src/modules/metrics/metric-catalog';
import { createCommunity, createRelationship, logConversation } from '../relationships/graph-builders';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { defineMetric, record, series } from './metric-builders';

let t: TestServer;
let a: Tenant;
let b: Tenant;
let c1: string;
let c2: string;

const WINDOW = { from: '2026-02-01T00:00:00.000Z', to: '2026-02-08T00:00:00.000Z', interval: 'DAY' };
const UPDATE = `mutation ($id: ID!, $input: UpdateRelationshipInput!) { updateRelationship(id: $id, input: $input) { id } }`;

/**
 * Creates a relationship through GraphQL, connected at `connectedAt`, then moves it through
 * `moves` with updateRelationship, each at its own stageChangedAt: the past, told through the API.
 */
async function relationship(
  tenant: Tenant,
  community: string,
  connectedAt: string,
  input: Record<string, unknown>,
  moves: Array<[string, string]> = [],
): Promise<string> {
  const id = await createRelationship(tenant.client, community, { ...input, connectedAt });
  for (const [stage, stageChangedAt] of moves) await tenant.client.data(UPDATE, { id, input: { stage, stageChangedAt } });
  return id;
}

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Built-in A');
  b = await signUp(t, 'Built-in B');
  c1 = await createCommunity(a.client, { name: 'One' });
  c2 = await createCommunity(a.client, { name: 'Two' });
  // r1 reaches LEAD on the 3rd, drops back and reaches it again on the 5th (not counted again), CUSTOMER on the 6th.
  const r1 = await relationship(a, c1, '2026-02-01T10:00:00Z', { qualified: true }, [
    ['ENGAGED', '2026-02-02T10:00:00Z'],
    ['LEAD', '2026-02-03T10:00:00Z'],
    ['ENGAGED', '2026-02-04T10:00:00Z'],
    ['LEAD', '2026-02-05T10:00:00Z'],
    ['CUSTOMER', '2026-02-06T10:00:00Z'],
  ]);
  // r2 is created an OPPORTUNITY: it reaches LEAD and OPPORTUNITY at its creation.
  const r2 = await relationship(a, c1, '2026-02-02T12:00:00Z', { stage: 'OPPORTUNITY' });
  // r3 jumps from CONNECTED to CUSTOMER: it reaches all three at once.
  const r3 = await relationship(a, c2, '2026-02-03T09:00:00Z', { qualified: true }, [['CUSTOMER', '2026-02-04T09:00:00Z']]);
  // r4 was a LEAD before the window: only its OPPORTUNITY counts.
  const r4 = await relationship(a, c2, '2026-01-20T09:00:00Z', { stage: 'LEAD' }, [['OPPORTUNITY', '2026-02-02T08:00:00Z']]);

  await logConversation(a.client, r1, { occurredAt: '2026-02-01T15:00:00Z', sentiment: 0.5, qualified: true });
  await logConversation(a.client, r1, { occurredAt: '2026-02-02T15:00:00Z', sentiment: -0.5 });
  await logConversation(a.client, r2, { occurredAt: '2026-02-02T16:00:00Z', sentiment: 1, qualified: true });
  await logConversation(a.client, r2, { occurredAt: '2026-02-02T17:00:00Z' });
  await logConversation(a.client, r3, { occurredAt: '2026-02-05T10:00:00Z', sentiment: 0.25, qualified: true });
  await logConversation(a.client, r4, { occurredAt: '2026-02-09T10:00:00Z', sentiment: -1 });

  // Tenant B's data in the same window must never show in A's figures.
  const bc = await createCommunity(b.client);
  const br = await relationship(b, bc, '2026-02-01T11:00:00Z', { qualified: true, stage: 'CUSTOMER' });
  await logConversation(b.client, br, { occurredAt: '2026-02-01T12:00:00Z', sentiment: -1, qualified: true });
});
afterAll(() => t.close());

const DAYS = ['01', '02', '03', '04', '05', '06', '07'].map((d) => new Date(`2026-02-${d}T00:00:00Z`).toISOString());

async function values(tenant: Tenant, metricKey: string, communityId?: string): Promise<Array<number | null>> {
  const buckets = await series(tenant.client, { metricKey, ...WINDOW, communityId });
  expect(buckets.map((x) => x.start)).toEqual(DAYS);
  return buckets.map((x) => x.value);
}

describe('built-in metric series', () => {
  it.each([
    ['relationships', [1, 1, 1, 0, 0, 0, 0]],
    ['qualified_relationships', [1, 0, 1, 0, 0, 0, 0]],
    ['conversations', [1, 3, 0, 0, 1, 0, 0]],
    ['qualified_conversations', [1, 1, 0, 0, 1, 0, 0]],
    ['leads', [0, 1, 1, 1, 0, 0, 0]],
    ['opportunities', [0, 2, 0, 1, 0, 1, 0]],
    ['customers', [0, 0, 0, 1, 0, 1, 0]],
    ['avg_sentiment', [0.5, 0.25, null, null, 0.25, null, null]],
  ])('%s per day', async (key, expected) => {
    expect(await values(a, key)).toEqual(expected);
  });

  it('counts avg_sentiment over the conversations that have one', async () => {
    const buckets = await series(a.client, { metricKey: 'avg_sentiment', ...WINDOW });
    expect(buckets.map((x) => x.count)).toEqual([1, 2, 0, 0, 1, 0, 0]);
    const conversations = await series(a.client, { metricKey: 'conversations', ...WINDOW });
    expect(conversations.map((x) => x.count)).toEqual([1, 3, 0, 0, 1, 0, 0]);
  });

  it.each([
    ['relationships', 'c1', [1, 1, 0, 0, 0, 0, 0]],
    ['conversations', 'c1', [1, 3, 0, 0, 0, 0, 0]],
    ['leads', 'c2', [0, 0, 0, 1, 0, 0, 0]],
    ['opportunities', 'c2', [0, 1, 0, 1, 0, 0, 0]],
    ['avg_sentiment', 'c2', [null, null, null, null, 0.25, null, null]],
  ])('%s of community %s', async (key, which, expected) => {
    expect(await values(a, key, which === 'c1' ? c1 : c2)).toEqual(expected);
  });

  it('shows another tenant none of this one’s data', async () => {
    expect(await values(b, 'relationships')).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(await values(b, 'customers')).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(await values(b, 'avg_sentiment')).toEqual([-1, null, null, null, null, null, null]);
  });
});

describe('the shared aggregation engine', () => {
  async function aggregate(options: { keys: string[]; byCommunity: boolean; interval: null | 'DAY' }): Promise<{ rows: AggregateRow[]; statements: number }> {
    const session = new TenantSession(t.ds, a.organizationId);
    const db = await session.db();
    const m = db.manager;
    try {
      const metrics = await resolveMetrics(db, options.keys);
      let statements = 0;
      const query = m.query.bind(m);
      m.query = ((sql: string, params?: unknown[]) => {
        statements++;
        return query(sql, params);
      }) as typeof m.query;
      const rows = await aggregateMetrics(db, {
        metrics,
        keys: options.keys,
        from: new Date(WINDOW.from),
        to: new Date(WINDOW.to),
        interval: options.interval as never,
        timezone: 'UTC',
        communityId: null,
        byCommunity: options.byCommunity,
      });
      return { rows, statements };
    } finally {
      await session.finish(false);
    }
  }

  it('aggregates built-in and custom keys per community in one statement', async () => {
    await defineMetric(a.client, 'spend', 'SUM');
    await defineMetric(a.client, 'reach', 'MAX');
    await record(a.client, [
      { metricKey: 'spend', value: 10, at: '2026-02-01T10:00:00Z', communityId: c1 },
      { metricKey: 'spend', value: 5, at: '2026-02-03T10:00:00Z', communityId: c1 },
      { metricKey: 'spend', value: 7, at: '2026-02-03T10:00:00Z' },
      { metricKey: 'reach', value: 70, at: '2026-02-03T10:00:00Z', communityId: c2 },
      { metricKey: 'reach', value: 90, at: '2026-02-04T10:00:00Z', communityId: c2 },
      { metricKey: 'spend', value: 1000, at: '2026-02-08T00:00:00Z', communityId: c1 },
    ]);
    const keys = ['spend', 'reach', 'relationships', 'leads', 'avg_sentiment', 'customers'];
    const { rows, statements } = await aggregate({ keys, byCommunity: true, interval: null });
    expect(statements).toBe(1);
    const got = Object.fromEntries(rows.map((r) => [`${r.key}@${r.communityId === c1 ? 'c1' : r.communityId === c2 ? 'c2' : 'none'}`, [r.value, r.count]]));
    expect(got).toEqual({
      'spend@c1': [15, 2],
      'spend@none': [7, 1],
      'reach@c2': [90, 2],
      'relationships@c1': [2, 2],
      'relationships@c2': [1, 1],
      'leads@c1': [2, 2],
      'leads@c2': [1, 1],
      'customers@c1': [1, 1],
      'customers@c2': [1, 1],
      'avg_sentiment@c1': [0.3333333333333333, 3],
      'avg_sentiment@c2': [0.25, 1],
    });
  });

  it('aggregates per bucket over the whole tenant', async () => {
    const { rows } = await aggregate({ keys: ['spend', 'opportunities'], byCommunity: false, interval: 'DAY' });
    const got = rows.map((r) => `${r.key} ${r.bucket!.toISOString().slice(5, 10)} ${r.value}`).sort();
    expect(got).toEqual(['opportunities 02-02 2', 'opportunities 02-04 1', 'opportunities 02-06 1', 'spend 02-01 10', 'spend 02-03 12']);
  });
});
