import { METRIC_RECORDED, type MetricRecordedEvent } from '../../src/modules/metrics/metric.events';
import { createCommunity } from '../relationships/graph-builders';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { defineMetric, pointCount, record, RECORD } from './metric-builders';

let t: TestServer;
let a: Tenant;
let b: Tenant;
let communityA: string;
let communityB: string;

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Ingest A');
  b = await signUp(t, 'Ingest B');
  await defineMetric(a.client, 'signups', 'SUM');
  await defineMetric(a.client, 'followers', 'LAST');
  await defineMetric(b.client, 'signups', 'SUM');
  communityA = await createCommunity(a.client, { name: 'A community' });
  communityB = await createCommunity(b.client, { name: 'B community' });
});
afterAll(() => t.close());

const AT = '2026-01-15T10:00:00.000Z';
const point = (extra: Record<string, unknown> = {}) => ({ metricKey: 'signups', value: 1, at: AT, ...extra });

/** Collects the metricRecorded events of a tenant, as the server publishes them. */
function listen(tenant: Tenant): { events: MetricRecordedEvent[]; stop: () => void } {
  const events: MetricRecordedEvent[] = [];
  const stop = t.server.app.pubsub.subscribe(tenant.organizationId, METRIC_RECORDED, (p) => events.push(p as MetricRecordedEvent));
  return { events, stop };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('recordMetrics', () => {
  it('writes every point with its metric, community, time and value, and publishes them after commit', async () => {
    const live = listen(a);
    const result = await record(a.client, [
      point({ value: 2.5, idempotencyKey: 'first-1' }),
      point({ metricKey: 'followers', value: 1200, at: '2026-01-15T11:00:00Z', communityId: communityA.toUpperCase() }),
      point({ value: -3 }),
    ]);
    expect(result).toEqual({ accepted: 3, duplicates: 0 });
    const rows = await t.ds.query(
      `SELECT d.key, p.community_id, p.at, p.value, p.idempotency_key FROM metric_points p
       JOIN metric_definitions d ON d.organization_id = p.organization_id AND d.id = p.metric_id
       WHERE p.organization_id = $1 ORDER BY p.id`,
      [a.organizationId],
    );
    expect(rows).toEqual([
      { key: 'signups', community_id: null, at: new Date(AT), value: 2.5, idempotency_key: 'first-1' },
      { key: 'followers', community_id: communityA, at: new Date('2026-01-15T11:00:00Z'), value: 1200, idempotency_key: null },
      { key: 'signups', community_id: null, at: new Date(AT), value: -3, idempotency_key: null },
    ]);
    await settle();
    live.stop();
    expect(live.events).toEqual([
      {
        points: [
          { metricKey: 'signups', communityId: null, at: AT, value: 2.5 },
          { metricKey: 'followers', communityId: communityA, at: '2026-01-15T11:00:00.000Z', value: 1200 },
          { metricKey: 'signups', communityId: null, at: AT, value: -3 },
        ],
      },
    ]);
  });

  it('counts a retried batch once and reports the rest as duplicates, publishing only new points', async () => {
    const batch = [point({ idempotencyKey: 'retry-1', value: 10 }), point({ idempotencyKey: 'retry-2', value: 20 }), point({ value: 5 })];
    expect(await record(a.client, batch)).toEqual({ accepted: 3, duplicates: 0 });
    const before = await pointCount(t, a.organizationId);
    const live = listen(a);
    const again = [...batch.slice(0, 2), point({ idempotencyKey: 'retry-3', value: 30 })];
    expect(await record(a.client, again)).toEqual({ accepted: 1, duplicates: 2 });
    expect(await pointCount(t, a.organizationId)).toBe(before + 1);
    await settle();
    live.stop();
    expect(live.events).toEqual([{ points: [{ metricKey: 'signups', communityId: null, at: AT, value: 30 }] }]);
  });

  it('dedupes idempotency keys within one batch: the first point with a key wins', async () => {
    const result = await record(a.client, [
      point({ idempotencyKey: 'same-batch', value: 1 }),
      point({ idempotencyKey: 'same-batch', value: 2 }),
      point({ idempotencyKey: 'other-batch-key', value: 3 }),
      point({ idempotencyKey: 'same-batch', value: 4 }),
    ]);
    expect(result).toEqual({ accepted: 2, duplicates: 2 });
    const rows = await t.ds.query(`SELECT value FROM metric_points WHERE organization_id = $1 AND idempotency_key = 'same-batch'`, [
      a.organizationId,
    ]);
    expect(rows).toEqual([{ value: 1 }]);
  });

  it('scopes idempotency keys to the tenant', async () => {
    expect(await record(b.client, [point({ idempotencyKey: 'retry-1' })])).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('writes nothing when the point at index 7 of 10 is bad, naming it', async () => {
    const before = await pointCount(t, a.organizationId);
    const live = listen(a);
    const points = Array.from({ length: 10 }, (_, i) => point({ value: i, idempotencyKey: `all-or-nothing-${i}` }));
    points[7] = point({ metricKey: 'no_such_metric' });
    points[9] = point({ value: 1, at: '1960-01-01T00:00:00Z' });
    const e = await a.client.error(RECORD, { points });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 7, field: 'points[7].metricKey' });
    expect(e.message).toContain('points[7].metricKey');
    expect(e.message).toContain('no_such_metric');
    expect(await pointCount(t, a.organizationId)).toBe(before);
    // The keys of the rejected batch were not taken: the good points can be sent again.
    expect(await record(a.client, points.slice(0, 7))).toEqual({ accepted: 7, duplicates: 0 });
    await settle();
    live.stop();
    expect(live.events).toHaveLength(1);
    expect(live.events[0].points).toHaveLength(7);
  });

  it.each([
    ['a built-in metric key', { metricKey: 'conversations' }, 'metricKey', 'built-in'],
    ['an unknown community', { communityId: '00000000-0000-4000-8000-000000000000' }, 'communityId', 'community'],
    ['a malformed community id', { communityId: 'not-an-id' }, 'communityId', 'community'],
    ['a time before 1970', { at: '1969-12-31T23:59:59Z' }, 'at', '1970'],
    ['a time two days ahead', { at: new Date(Date.now() + 2 * 86_400_000).toISOString() }, 'at', 'one day'],
    ['an idempotency key over 200 characters', { idempotencyKey: 'k'.repeat(201) }, 'idempotencyKey', '200'],
    ['an empty idempotency key', { idempotencyKey: '' }, 'idempotencyKey', '200'],
    ['an idempotency key holding U+0000', { idempotencyKey: 'a\u0000b' }, 'idempotencyKey', 'U+0000'],
    ['a metric key holding U+0000', { metricKey: 'signups\u0000' }, 'metricKey', 'NUL character'],
  ])('rejects %s with its index and field', async (_what, bad, field, words) => {
    const before = await pointCount(t, a.organizationId);
    const e = await a.client.error(RECORD, { points: [point(), point(), point(bad)] });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 2, field: `points[2].${field}` });
    expect(e.message).toContain(`points[2].${field}`);
    expect(e.message).toContain(words);
    expect(await pointCount(t, a.organizationId)).toBe(before);
  });

  it('stores idempotency keys with quotes, backslashes, commas and braces as they are', async () => {
    const keys = ['say "hi"', 'back\\slash', 'a,b', '{x}', 'NULL', 'ünïcödé 🎉'];
    expect(await record(a.client, keys.map((idempotencyKey) => point({ idempotencyKey })))).toEqual({ accepted: 6, duplicates: 0 });
    const rows = await t.ds.query(`SELECT idempotency_key AS k FROM metric_points WHERE organization_id = $1 AND idempotency_key = ANY($2)`, [
      a.organizationId,
      keys,
    ]);
    expect(rows.map((r: { k: string }) => r.k).sort()).toEqual([...keys].sort());
    expect(await record(a.client, keys.map((idempotencyKey) => point({ idempotencyKey })))).toEqual({ accepted: 0, duplicates: 6 });
  });

  it('accepts a time up to one day ahead and a 200-character key', async () => {
    const result = await record(a.client, [
      point({ at: new Date(Date.now() + 86_000_000).toISOString(), idempotencyKey: 'k'.repeat(200) }),
    ]);
    expect(result).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('rejects a value beyond float8 (infinite once parsed) and writes nothing', async () => {
    const before = await pointCount(t, a.organizationId);
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
      body: `{"query": ${JSON.stringify(RECORD)}, "variables": {"points": [{"metricKey": "signups", "value": 1, "at": "${AT}"}, {"metricKey": "signups", "value": 1e309, "at": "${AT}"}]}}`,
    });
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toContain('points[1].value');
    expect(await pointCount(t, a.organizationId)).toBe(before);
  });

  it('takes 10,000 points in one call and rejects 10,001 naming points', async () => {
    const before = await pointCount(t, a.organizationId);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ metricKey: 'signups', value: i, at: AT }));
    const e = await a.client.error(RECORD, { points: many(10_001) });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    expect(e.message).toContain('10000');
    expect(await pointCount(t, a.organizationId)).toBe(before);
    expect(await record(a.client, many(10_000))).toEqual({ accepted: 10_000, duplicates: 0 });
    expect(await pointCount(t, a.organizationId)).toBe(before + 10_000);
  });

  it('accepts an empty batch', async () => {
    expect(await record(a.client, [])).toEqual({ accepted: 0, duplicates: 0 });
  });

  it('needs the INGEST scope', async () => {
    const reader = await apiKey(a, ['READ', 'WRITE']);
    const e = await t.client(reader.secret).error(RECORD, { points: [point()] });
    expect(e.extensions?.code).toBe('FORBIDDEN');
    const ingester = await apiKey(a, ['INGEST']);
    expect(await record(t.client(ingester.secret), [point()])).toEqual({ accepted: 1, duplicates: 0 });
  });
});

describe('recordMetrics across tenants', () => {
  it('treats another tenant’s community as unknown and writes nothing', async () => {
    const beforeA = await pointCount(t, a.organizationId);
    const beforeB = await pointCount(t, b.organizationId);
    const e = await b.client.error(RECORD, { points: [point(), point({ communityId: communityB }), point({ communityId: communityA })] });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 2, field: 'points[2].communityId' });
    const unknown = await b.client.error(RECORD, {
      points: [point(), point({ communityId: communityB }), point({ communityId: '00000000-0000-4000-8000-000000000000' })],
    });
    expect(unknown.message).toBe(e.message.replace(communityA, '00000000-0000-4000-8000-000000000000'));
    expect(await pointCount(t, a.organizationId)).toBe(beforeA);
    expect(await pointCount(t, b.organizationId)).toBe(beforeB);
  });

  it('treats another tenant’s metric key as unknown', async () => {
    const e = await b.client.error(RECORD, { points: [point({ metricKey: 'followers' })] });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 0, field: 'points[0].metricKey' });
  });
});
