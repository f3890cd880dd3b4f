import { createCommunity, UNKNOWN_ID } from '../relationships/graph-builders';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { defineMetric, record, series, SERIES, setTimezone } from './metric-builders';

let t: TestServer;
let paris: Tenant;
let utc: Tenant;
let community: string;
let otherTenantCommunity: string;

const iso = (s: string) => new Date(s).toISOString();

// Europe/Paris moves from +01:00 to +02:00 at 2026-03-29 01:00 UTC; 29 March is a 23-hour day there.
const DST_POINTS = [
  { at: '2026-03-27T22:59:59Z', value: 100 }, // 27 March 23:59:59 local: before the window
  { at: '2026-03-27T23:00:00Z', value: 1 }, // 28 March 00:00 local
  { at: '2026-03-28T22:30:00Z', value: 2 }, // 28 March 23:30 local (+01:00)
  { at: '2026-03-28T23:00:00Z', value: 4 }, // 29 March 00:00 local
  { at: '2026-03-29T21:59:00Z', value: 8 }, // 29 March 23:59 local (+02:00)
  { at: '2026-03-29T22:00:00Z', value: 16 }, // 30 March 00:00 local
  { at: '2026-03-30T22:00:00Z', value: 32 }, // 31 March 00:00 local: the window's end, excluded
];
const WINDOW = { from: '2026-03-27T23:00:00Z', to: '2026-03-30T22:00:00Z' }; // 28 March to 31 March, local

beforeAll(async () => {
  t = await startTestServer();
  paris = await signUp(t, 'Paris');
  utc = await signUp(t, 'Utc');
  await setTimezone(paris.client, 'Europe/Paris');
  for (const tenant of [paris, utc]) {
    await defineMetric(tenant.client, 'signups', 'SUM');
    await record(tenant.client, DST_POINTS.map((p) => ({ metricKey: 'signups', ...p })));
  }
  community = await createCommunity(paris.client);
  otherTenantCommunity = await createCommunity(utc.client);
});
afterAll(() => t.close());

describe('metricSeries buckets', () => {
  it('aligns days to the organization’s time zone across a DST change, window half-open', async () => {
    const buckets = await series(paris.client, { metricKey: 'signups', ...WINDOW, interval: 'DAY' });
    expect(buckets).toEqual([
      { start: iso('2026-03-27T23:00:00Z'), value: 3, count: 2 },
      { start: iso('2026-03-28T23:00:00Z'), value: 12, count: 2 },
      { start: iso('2026-03-29T22:00:00Z'), value: 16, count: 1 },
    ]);
  });

  it('buckets the same points by UTC days in a UTC organization', async () => {
    const buckets = await series(utc.client, { metricKey: 'signups', ...WINDOW, interval: 'DAY' });
    expect(buckets).toEqual([
      { start: iso('2026-03-27T00:00:00Z'), value: 1, count: 1 },
      { start: iso('2026-03-28T00:00:00Z'), value: 6, count: 2 },
      { start: iso('2026-03-29T00:00:00Z'), value: 24, count: 2 },
      { start: iso('2026-03-30T00:00:00Z'), value: 0, count: 0 },
    ]);
  });

  it('steps hours in absolute time over the skipped local hour', async () => {
    const buckets = await series(paris.client, {
      metricKey: 'signups',
      from: '2026-03-28T22:00:00Z',
      to: '2026-03-29T02:00:00Z',
      interval: 'HOUR',
    });
    expect(buckets.map((b) => b.start)).toEqual(
      ['2026-03-28T22:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z'].map(iso),
    );
    expect(buckets.map((b) => b.value)).toEqual([2, 4, 0, 0]);
  });

  it('starts weeks on Monday and months on the 1st, local time, a bucket for every interval', async () => {
    const weeks = await series(paris.client, { metricKey: 'signups', from: '2026-03-25T12:00:00Z', to: '2026-04-08T00:00:00Z', interval: 'WEEK' });
    expect(weeks).toEqual([
      { start: iso('2026-03-22T23:00:00Z'), value: 115, count: 5 }, // Monday 23 March, +01:00
      { start: iso('2026-03-29T22:00:00Z'), value: 48, count: 2 }, // Monday 30 March, +02:00
      { start: iso('2026-04-05T22:00:00Z'), value: 0, count: 0 },
    ]);
    const months = await series(paris.client, { metricKey: 'signups', from: '2026-01-15T00:00:00Z', to: '2026-04-10T00:00:00Z', interval: 'MONTH' });
    expect(months).toEqual([
      { start: iso('2025-12-31T23:00:00Z'), value: 0, count: 0 },
      { start: iso('2026-01-31T23:00:00Z'), value: 0, count: 0 },
      { start: iso('2026-02-28T23:00:00Z'), value: 163, count: 7 },
      { start: iso('2026-03-31T22:00:00Z'), value: 0, count: 0 },
    ]);
  });

  it('keeps the bucket a window starts in, counting only points from `from` on', async () => {
    const buckets = await series(paris.client, { metricKey: 'signups', from: '2026-03-28T12:00:00Z', to: '2026-03-29T00:00:00Z', interval: 'DAY' });
    expect(buckets).toEqual([
      { start: iso('2026-03-27T23:00:00Z'), value: 2, count: 1 },
      { start: iso('2026-03-28T23:00:00Z'), value: 4, count: 1 },
    ]);
  });
});

describe('metricSeries aggregations', () => {
  const DAY = { from: '2026-02-01T00:00:00Z', to: '2026-02-03T00:00:00Z', interval: 'DAY' };
  const points = [
    { value: 9, at: '2026-02-01T18:00:00Z' }, // the latest, sent first
    { value: 5, at: '2026-02-01T06:00:00Z' },
    { value: 1, at: '2026-02-01T12:00:00Z' },
  ];

  it.each([
    ['SUM', 15, 0],
    ['AVG', 5, null],
    ['MIN', 1, null],
    ['MAX', 9, null],
    ['LAST', 9, null],
    ['COUNT', 3, 0],
  ])('%s: %d over a bucket, %p over an empty one', async (aggregation, value, empty) => {
    const key = `agg_${aggregation.toLowerCase()}`;
    await defineMetric(utc.client, key, aggregation);
    await record(utc.client, points.map((p) => ({ metricKey: key, ...p })));
    expect(await series(utc.client, { metricKey: key, ...DAY })).toEqual([
      { start: iso('2026-02-01T00:00:00Z'), value, count: 3 },
      { start: iso('2026-02-02T00:00:00Z'), value: empty, count: 0 },
    ]);
  });

  it('LAST takes the latest point by time, whatever the order it was recorded in', async () => {
    await defineMetric(utc.client, 'followers', 'LAST');
    await record(utc.client, [{ metricKey: 'followers', value: 700, at: '2026-02-01T23:00:00Z' }]);
    await record(utc.client, [{ metricKey: 'followers', value: 650, at: '2026-02-01T20:00:00Z' }]);
    const [day] = await series(utc.client, { metricKey: 'followers', ...DAY });
    expect(day).toEqual({ start: iso('2026-02-01T00:00:00Z'), value: 700, count: 2 });
  });

  it('filters by community', async () => {
    await defineMetric(paris.client, 'clicks', 'SUM');
    await record(paris.client, [
      { metricKey: 'clicks', value: 3, at: '2026-02-01T10:00:00Z', communityId: community },
      { metricKey: 'clicks', value: 4, at: '2026-02-01T11:00:00Z' },
    ]);
    const day = { from: '2026-02-01T00:00:00+01:00', to: '2026-02-02T00:00:00+01:00', interval: 'DAY' };
    expect(await series(paris.client, { metricKey: 'clicks', ...day })).toEqual([{ start: iso('2026-01-31T23:00:00Z'), value: 7, count: 2 }]);
    expect(await series(paris.client, { metricKey: 'clicks', ...day, communityId: community })).toEqual([
      { start: iso('2026-01-31T23:00:00Z'), value: 3, count: 1 },
    ]);
  });
});

describe('metricSeries validation', () => {
  it('wants `to` after `from`', async () => {
    const e = await paris.client.error(SERIES, { metricKey: 'signups', from: WINDOW.from, to: WINDOW.from, interval: 'DAY' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('rejects an unknown metric key, and another tenant’s', async () => {
    await defineMetric(utc.client, 'utc_only', 'SUM');
    for (const metricKey of ['nope', 'utc_only', 'Not A Key']) {
      const e = await paris.client.error(SERIES, { metricKey, ...WINDOW, interval: 'DAY' });
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metricKey' });
      expect(e.message).toContain(metricKey);
    }
  });

  it('allows 10,000 buckets and rejects 10,001 with the limit', async () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = new Date(from + 10_000 * 3_600_000).toISOString();
    const ok = await series(utc.client, { metricKey: 'signups', from: iso('2026-01-01T00:00:00Z'), to, interval: 'HOUR' });
    expect(ok).toHaveLength(10_000);
    const e = await utc.client.error(SERIES, { metricKey: 'signups', from: iso('2026-01-01T00:00:00Z'), to: new Date(from + 10_000 * 3_600_000 + 1).toISOString(), interval: 'HOUR' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interval', max: 10_000 });
    expect(e.message).toContain('10001');
    const days = await utc.client.error(SERIES, { metricKey: 'signups', from: '2000-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z', interval: 'DAY' });
    expect(days.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interval' });
  });

  it('answers another tenant’s community exactly as an unknown one', async () => {
    const theirs = await paris.client.error(SERIES, { metricKey: 'signups', ...WINDOW, interval: 'DAY', communityId: otherTenantCommunity });
    const unknown = await paris.client.error(SERIES, { metricKey: 'signups', ...WINDOW, interval: 'DAY', communityId: UNKNOWN_ID });
    const malformed = await paris.client.error(SERIES, { metricKey: 'signups', ...WINDOW, interval: 'DAY', communityId: 'nope' });
    for (const e of [theirs, unknown, malformed]) expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'communityId' });
    expect(theirs.message.replace(otherTenantCommunity, 'X')).toBe(unknown.message.replace(UNKNOWN_ID, 'X'));
  });
});
