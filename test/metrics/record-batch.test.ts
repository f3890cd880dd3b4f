import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { defineMetric, pointCount } from './metric-builders';

const BATCH = `mutation ($batch: MetricPointBatch!) { recordMetrics(batch: $batch) { accepted duplicates } }`;

let t: TestServer;
let a: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Batch');
  await defineMetric(a.client, 'signups', 'SUM');
});
afterAll(() => t.close());

const point = (extra: Record<string, unknown> = {}) => ({ metricKey: 'signups', value: 1, at: '2026-01-15T10:00:00Z', ...extra });

describe('recordMetrics(batch:)', () => {
  it('records a JSON batch like points, idempotency keys included', async () => {
    const batch = [point({ idempotencyKey: 'b1' }), point({ value: 2.5, idempotencyKey: 'b2' }), point({ communityId: null })];
    expect((await a.client.data(BATCH, { batch })).recordMetrics).toEqual({ accepted: 3, duplicates: 0 });
    expect((await a.client.data(BATCH, { batch: batch.slice(0, 2) })).recordMetrics).toEqual({ accepted: 0, duplicates: 2 });
  });

  it('names a bad point by its index and field, as points does, and writes nothing', async () => {
    const before = await pointCount(t, a.organizationId);
    const cases: Array<[unknown, number | undefined, string]> = [
      [[point(), point({ value: 'x' })], 1, 'points[1].value'],
      [[point(), point(), { metricKey: 'signups', at: '2026-01-15T10:00:00Z' }], 2, 'points[2].value'],
      [[point({ at: '2026-02-30T00:00:00Z' })], 0, 'points[0].at'],
      [[point({ color: 'red' })], 0, 'points[0].color'],
      [[point(), point({ metricKey: 'nope' })], 1, 'points[1].metricKey'],
      [{ not: 'a list' }, undefined, 'batch'],
    ];
    for (const [batch, index, field] of cases) {
      const error = await a.client.error(BATCH, { batch });
      expect({ code: error.extensions?.code, index: error.extensions?.index, field: error.extensions?.field }).toEqual({ code: 'BAD_USER_INPUT', index, field });
    }
    const both = await a.client.error(`mutation ($batch: MetricPointBatch!) { recordMetrics(batch: $batch, points: []) { accepted } }`, { batch: [point()] });
    expect(both.extensions?.code).toBe('BAD_USER_INPUT');
    const neither = await a.client.error(`mutation { recordMetrics { accepted } }`);
    expect(neither.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await a.client.error(BATCH, { batch: Array.from({ length: 10_001 }, () => point()) });
    expect(tooMany.extensions?.field).toBe('points');
    expect(await pointCount(t, a.organizationId)).toBe(before);
  });
});
