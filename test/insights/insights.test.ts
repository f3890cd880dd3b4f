import { seededRandom } from '../../src/modules/insights/seeded-random';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { defineMetric, record, setTimezone } from '../metrics/metric-builders';

let t: TestServer;
let acme: Tenant;
let globex: Tenant;

const WEEK = 7 * 86_400_000;
const WEEKS = 104;
const TZ = 'America/New_York';
// Monday 2024-01-01 00:00 in New York; every point is recorded on a Wednesday noon of its week.
const from = new Date('2024-01-01T05:00:00Z');
const to = new Date(from.getTime() + WEEKS * WEEK);
const wednesday = (week: number) => new Date(from.getTime() + week * WEEK + 2 * 86_400_000 + 7 * 3_600_000).toISOString();

const INSIGHT = `query ($target: String!, $drivers: [String!]!, $from: DateTime!, $to: DateTime!, $interval: Interval, $maxLag: Int) {
  relationshipInsights(target: $target, drivers: $drivers, from: $from, to: $to, interval: $interval, maxLag: $maxLag) {
    target n r2 intercept degreesOfFreedom residualStandardError intervalLevel lagSearch maxLag interval
    drivers { driver lag coefficient standardError low high }
    suggestedParameters { name value low high driver basis }
  }
}`;

const window = { from: from.toISOString(), to: to.toISOString() };

/** The synthetic truth: signups[t] = 3 + 0.25 · touches[t - 2] + N(0, 1); unrelated has no part in it. */
function history(seed: number) {
  const r = seededRandom(seed);
  const touches = Array.from({ length: WEEKS }, () => Math.max(0, Math.round(40 + 12 * r.normal())));
  const unrelated = Array.from({ length: WEEKS }, () => Math.max(0, Math.round(30 + 10 * r.normal())));
  const signups = touches.map((_, w) => 3 + 0.25 * (w >= 2 ? touches[w - 2] : 40) + r.normal());
  return { touches, unrelated, signups };
}

async function recordHistory(tenant: Tenant, h: ReturnType<typeof history>): Promise<void> {
  for (const key of ['touches', 'unrelated', 'signups', 'touches_twice', 'flat']) await defineMetric(tenant.client, key);
  const points = h.touches.flatMap((x, w) => [
    // Two points a week for touches, so the engine really sums within a bucket.
    { metricKey: 'touches', value: x - 10, at: wednesday(w) },
    { metricKey: 'touches', value: 10, at: new Date(Date.parse(wednesday(w)) + 86_400_000).toISOString() },
    { metricKey: 'touches_twice', value: 2 * x + 1, at: wednesday(w) },
    { metricKey: 'unrelated', value: h.unrelated[w], at: wednesday(w) },
    { metricKey: 'signups', value: h.signups[w], at: wednesday(w) },
    { metricKey: 'flat', value: 7, at: wednesday(w) },
  ]);
  await record(tenant.client, points);
}

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
  await setTimezone(acme.client, TZ);
  await recordHistory(acme, history(42));
  // Globex records other numbers under the same keys: they must never reach Acme's answers.
  await recordHistory(globex, history(7));
  await globex.client.data(`mutation { defineMetric(input: {key: "globex_only", name: "G", aggregation: SUM}) { id } }`);
});
afterAll(() => t.close());

describe('relationshipInsights on a synthetic history with a known answer', () => {
  it('finds lag 2 and a factor whose interval holds 0.25; the unrelated driver’s interval holds 0', async () => {
    const { relationshipInsights: r } = await acme.client.data(INSIGHT, { ...window, target: 'signups', drivers: ['touches', 'unrelated'] });
    expect(r).toMatchObject({ target: 'signups', interval: 'WEEK', maxLag: 4, lagSearch: 'EXHAUSTIVE' });
    const [touches, unrelated] = r.drivers;
    expect(touches).toMatchObject({ driver: 'touches', lag: 2 });
    expect(touches.low).toBeLessThan(0.25);
    expect(touches.high).toBeGreaterThan(0.25);
    expect(unrelated.driver).toBe('unrelated');
    expect(unrelated.low).toBeLessThan(0);
    expect(unrelated.high).toBeGreaterThan(0);
    expect(r.n).toBe(WEEKS - Math.max(touches.lag, unrelated.lag));
    expect(r.degreesOfFreedom).toBe(r.n - 3);
    expect(r.r2).toBeGreaterThan(0.8);
    expect(r.intervalLevel).toBeCloseTo(0.99, 12);
    // signups is not money and the default model values neither it nor touches: nothing to suggest.
    expect(r.suggestedParameters).toEqual([]);
  });

  it('agrees with PostgreSQL’s regr_slope and regr_r2 over the same weekly sums at lag 2', async () => {
    const { relationshipInsights: r } = await acme.client.data(INSIGHT, { ...window, target: 'signups', drivers: ['touches'] });
    const [sql] = await t.ds.query(
      `WITH weekly AS (
         SELECT date_trunc('week', p.at, $2) AS week, d.key, sum(p.value) AS value
         FROM metric_points p JOIN metric_definitions d ON d.organization_id = p.organization_id AND d.id = p.metric_id
         WHERE p.organization_id = $1 AND d.key IN ('touches', 'signups') AND p.at >= $3 AND p.at < $4
         GROUP BY 1, 2),
       paired AS (
         SELECT week, max(value) FILTER (WHERE key = 'signups') AS y,
                lag(max(value) FILTER (WHERE key = 'touches'), 2) OVER (ORDER BY week) AS x
         FROM weekly GROUP BY week)
       SELECT regr_slope(y, x) AS slope, regr_intercept(y, x) AS intercept, regr_r2(y, x) AS r2, regr_count(y, x)::int AS n,
              sqrt((regr_syy(y, x) - regr_slope(y, x) * regr_sxy(y, x)) / (regr_count(y, x) - 2) / regr_sxx(y, x)) AS se
       FROM paired`,
      [acme.organizationId, TZ, window.from, window.to],
    );
    const [d] = r.drivers;
    expect(d.lag).toBe(2);
    expect(r.n).toBe(sql.n);
    expect(d.coefficient).toBeCloseTo(sql.slope, 9);
    expect(r.intercept).toBeCloseTo(sql.intercept, 7);
    expect(r.r2).toBeCloseTo(sql.r2, 9);
    expect(d.standardError).toBeCloseTo(sql.se, 9);
  });

  it('takes null interval and maxLag as their defaults, WEEK and 4', async () => {
    const { relationshipInsights: r } = await acme.client.data(INSIGHT, { ...window, target: 'signups', drivers: ['touches'], interval: null, maxLag: null });
    expect(r).toMatchObject({ interval: 'WEEK', maxLag: 4, drivers: [expect.objectContaining({ lag: 2 })] });
  });

  it('refuses two collinear drivers, saying why', async () => {
    const err = await acme.client.error(INSIGHT, { ...window, target: 'signups', drivers: ['touches', 'touches_twice'] });
    expect(err.extensions?.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(/collinear.*exactly explained/);
  });

  it('reads organization-wide series with empty weeks included (a window wider than the history)', async () => {
    const wide = { from: new Date(from.getTime() - 10 * WEEK).toISOString(), to: window.to };
    const { relationshipInsights: r } = await acme.client.data(INSIGHT, { ...wide, target: 'signups', drivers: ['touches'] });
    // The ten empty weeks count (SUM: 0) and pull the fit, but the lag still shows.
    expect(r.n).toBe(WEEKS + 10 - r.drivers[0].lag);
  });
});

describe('guard rails', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp, string?]> = [
    ['an unknown target', { target: 'nope', drivers: ['touches'] }, /target 'nope' is not a metric/, 'target'],
    ['an unknown driver', { target: 'signups', drivers: ['touches', 'nope'] }, /driver 'nope' is not a metric/, 'drivers[1]'],
    ['no driver', { target: 'signups', drivers: [] }, /at least one driver/, 'drivers'],
    ['eleven drivers', { target: 'signups', drivers: Array.from({ length: 11 }, (_, i) => `d${i}`) }, /at most 10 drivers/, 'drivers'],
    ['the target as a driver', { target: 'signups', drivers: ['signups'] }, /is the target itself/, 'drivers[0]'],
    ['a driver twice', { target: 'signups', drivers: ['touches', 'touches'] }, /named twice/, 'drivers[1]'],
    ['maxLag 13', { target: 'signups', drivers: ['touches'], maxLag: 13 }, /maxLag must be 0 to 12/, 'maxLag'],
    ['maxLag -1', { target: 'signups', drivers: ['touches'], maxLag: -1 }, /maxLag must be 0 to 12/, 'maxLag'],
    ['a driver that never varies', { target: 'signups', drivers: ['flat'] }, /'flat' never varies .*always 7/, 'drivers[0]'],
    ['to before from', { target: 'signups', drivers: ['touches'], from: window.to, to: window.from }, /to must be after from/, 'to'],
    [
      'too few intervals',
      // Twelve New York weeks (the clocks change on 10 March): 8 after the first 4.
      { target: 'signups', drivers: ['touches', 'unrelated'], to: '2024-03-25T04:00:00Z' },
      /too few intervals: 2 driver\(s\) at lags 0\.\.4 need at least 16 .* the window has 8/,
      'from',
    ],
    [
      'a window too long',
      { target: 'signups', drivers: ['touches'], interval: 'DAY', from: '2018-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' },
      // UTC midnights are 19:00 or 20:00 the day before in New York: 2,192 local days are touched.
      /spans 2192 intervals at DAY; at most 2000/,
      'interval',
    ],
  ];
  it.each(cases)('refuses %s with BAD_USER_INPUT', async (_name, vars, message, field) => {
    const err = await acme.client.error(INSIGHT, { ...window, ...vars });
    expect(err.extensions?.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(message);
    if (field) expect(err.extensions?.field).toBe(field);
  });
});

describe('tenancy and scope', () => {
  it('another tenant’s metric behaves exactly like an unknown one', async () => {
    const other = await acme.client.error(INSIGHT, { ...window, target: 'globex_only', drivers: ['touches'] });
    const unknown = await acme.client.error(INSIGHT, { ...window, target: 'never_defined', drivers: ['touches'] });
    expect(other.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'target' });
    expect(other.message.replace('globex_only', 'X')).toBe(unknown.message.replace('never_defined', 'X'));
  });

  it('each tenant is fitted on its own points only, under the same keys', async () => {
    const mine = (await acme.client.data(INSIGHT, { ...window, target: 'signups', drivers: ['touches'] })).relationshipInsights;
    // Globex keeps UTC: its weeks start at 00:00Z, so its window does too (the points lie on Wednesdays and Thursdays).
    const utcWeeks = { from: '2024-01-01T00:00:00Z', to: new Date(Date.parse('2024-01-01T00:00:00Z') + WEEKS * WEEK).toISOString() };
    const theirs = (await globex.client.data(INSIGHT, { ...utcWeeks, target: 'signups', drivers: ['touches'] })).relationshipInsights;
    expect(theirs.drivers[0].coefficient).not.toBeCloseTo(mine.drivers[0].coefficient, 6);
    // Globex's own truth, computed the same way in memory: its points are all it sees (UTC weeks there).
    const h = history(7);
    const x = h.touches.slice(0, WEEKS - 2);
    const y = h.signups.slice(2);
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    const slope = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / x.reduce((s, v) => s + (v - mx) ** 2, 0);
    expect(theirs.drivers[0].lag).toBe(2);
    expect(theirs.drivers[0].coefficient).toBeCloseTo(slope, 8);
  });

  it('needs READ: an INGEST-only key is FORBIDDEN, a READ key answers', async () => {
    const ingest = await apiKey(acme, ['INGEST']);
    const read = await apiKey(acme, ['READ'], 'reader');
    const denied = await t.client(ingest.secret).error(INSIGHT, { ...window, target: 'signups', drivers: ['touches'] });
    expect(denied.extensions?.code).toBe('FORBIDDEN');
    const ok = await t.client(read.secret).data(INSIGHT, { ...window, target: 'signups', drivers: ['touches'] });
    expect(ok.relationshipInsights.drivers[0].lag).toBe(2);
    const anonymous = await t.client().error(INSIGHT, { ...window, target: 'signups', drivers: ['touches'] });
    expect(anonymous.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
