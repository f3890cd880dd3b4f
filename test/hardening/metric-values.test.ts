import { apiKey, signUp, type Tenant } from '../support/builders';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { RECORD, series } from '../metrics/metric-builders';
import { LiveClient } from '../live/support/live';

let t: TestServer;
let acme: Tenant;
let ingest: GraphQLClient;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  // ad_spend (SUM) is seeded with every organization, and the default ROI model invests it.
  ingest = t.client((await apiKey(acme, ['INGEST'])).secret);
});
afterAll(() => t.close());

const AT = '2026-03-02T10:00:00.000Z';
const WINDOW = { metricKey: 'ad_spend', from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', interval: 'DAY' };
const ROI = `query ($from: DateTime!, $to: DateTime!) { roi(from: $from, to: $to) { investment roi } }`;

describe('metric values', () => {
  it.each([1.7e308, -1.7e308, 1e15 * 1.000001, -1e16])('refuses %p with BAD_USER_INPUT naming the point, and writes nothing', async (value) => {
    const res = await ingest.request(RECORD, { points: [{ metricKey: 'ad_spend', value: 1, at: AT }, { metricKey: 'ad_spend', value, at: AT }] });
    expect(res.status).toBe(200);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 1, field: 'points[1].value' });
    expect(res.errors?.[0].message).toMatch(/1e15/);
    expect(await series(acme.client, WINDOW)).toEqual([expect.objectContaining({ count: 0 })]);
  });

  it('refuses 1.7e308 over WebSocket too, naming the point, and writes nothing', async () => {
    // A socket needs READ; the write needs INGEST.
    const live = new LiveClient(t.url, (await apiKey(acme, ['READ', 'INGEST'], 'socket')).secret);
    try {
      const sub = live.subscribe(RECORD, { points: [{ metricKey: 'ad_spend', value: 1.7e308, at: AT }] });
      await sub.ended();
      // Refused in execution (a `next` with errors) or before it (graphql-ws's `error` message).
      const errors = sub.results[0]?.errors ?? (sub.error as Array<{ extensions?: Record<string, unknown> }>);
      expect(errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 0, field: 'points[0].value' });
    } finally {
      await live.dispose();
    }
    expect(await series(acme.client, WINDOW)).toEqual([expect.objectContaining({ count: 0 })]);
  });

  it('accepts the bounds, and the sum of many points at the bound stays a number in series, ROI and goals', async () => {
    const points = Array.from({ length: 50 }, () => ({ metricKey: 'ad_spend', value: 1e15, at: AT }));
    expect((await ingest.data(RECORD, { points })).recordMetrics.accepted).toBe(50);
    const before = { metricKey: 'ad_spend', value: -1e15, at: '2026-03-01T10:00:00.000Z' }; // the other bound, outside the window
    expect((await ingest.data(RECORD, { points: [before] })).recordMetrics.accepted).toBe(1);
    const [bucket] = await series(acme.client, WINDOW);
    expect(bucket).toEqual(expect.objectContaining({ value: 5e16, count: 50 }));
    const report = await acme.client.request(ROI, { from: WINDOW.from, to: WINDOW.to });
    expect(report.errors).toBeUndefined();
    expect(report.data?.roi.investment).toBe(5e16);
    const goal = await acme.client.request(
      `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { progress { current } } }`,
      { input: { name: 'spend', metricKey: 'ad_spend', target: 1, startsAt: WINDOW.from, endsAt: WINDOW.to } },
    );
    expect(goal.errors).toBeUndefined();
    expect(goal.data?.createGoal.progress.current).toBe(5e16);
  });

  it('keeps what is stored in range, whatever path writes it', async () => {
    await expect(
      t.ds.query(
        `INSERT INTO metric_points (organization_id, metric_id, at, value)
         SELECT organization_id, id, now(), 1.7e308 FROM metric_definitions WHERE organization_id = $1 AND key = 'ad_spend'`,
        [acme.organizationId],
      ),
    ).rejects.toThrow(/metric_points_value_range/);
  });
});
