import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, defineMetric } from './metric-builders';

let t: TestServer;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Metrics A');
  b = await signUp(t, 'Metrics B');
});
afterAll(() => t.close());

const METRICS = `{ metrics { id key name unit aggregation description builtIn createdAt } }`;
/** Metrics every organization gets at sign-up, for its default ROI model, sorted by key. */
const SEEDED = ['ad_spend', 'hours_invested'];

const BUILT_INS = [
  'relationships',
  'qualified_relationships',
  'conversations',
  'qualified_conversations',
  'leads',
  'opportunities',
  'customers',
  'avg_sentiment',
];

async function definitionCount(organizationId: string): Promise<number> {
  const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM metric_definitions WHERE organization_id = $1`, [organizationId]);
  return row.n;
}

describe('defineMetric', () => {
  it('defines a metric and lists it after the built-in ones', async () => {
    const data = await a.client.data(DEFINE, {
      input: { key: 'event_spend', name: '  Ad spend ', unit: 'USD', aggregation: 'SUM', description: 'Paid social' },
    });
    expect(data.defineMetric).toMatchObject({
      key: 'event_spend',
      name: 'Ad spend',
      unit: 'USD',
      aggregation: 'SUM',
      description: 'Paid social',
      builtIn: false,
    });
    expect(new Date(data.defineMetric.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await defineMetric(a.client, 'followers', 'LAST');

    const { metrics } = await a.client.data(METRICS);
    expect(metrics.map((m: { key: string }) => m.key)).toEqual([...BUILT_INS, 'ad_spend', 'event_spend', 'followers', 'hours_invested']);
    const builtIns = metrics.filter((m: { builtIn: boolean }) => m.builtIn);
    expect(builtIns.map((m: { key: string }) => m.key)).toEqual(BUILT_INS);
    expect(builtIns.find((m: { key: string }) => m.key === 'avg_sentiment')).toMatchObject({
      id: 'builtin:avg_sentiment',
      aggregation: 'AVG',
      createdAt: null,
    });
    expect(builtIns.find((m: { key: string }) => m.key === 'leads').aggregation).toBe('COUNT');
  });

  it.each([
    ['Signups', 'upper case'],
    ['1signups', 'a leading digit'],
    ['sign-ups', 'a dash'],
    ['', 'nothing'],
    ['a'.repeat(64), '64 characters'],
  ])('rejects the key %j (%s) naming the field key', async (key) => {
    const before = await definitionCount(a.organizationId);
    const e = await a.client.error(DEFINE, { input: { key, name: 'x', aggregation: 'SUM' } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'key' });
    expect(e.message).toContain('key');
    expect(await definitionCount(a.organizationId)).toBe(before);
  });

  it('accepts a 63-character key and a leading underscore', async () => {
    await defineMetric(a.client, '_' + 'a'.repeat(62));
  });

  it('rejects a duplicate key and a built-in key, writing nothing', async () => {
    await defineMetric(a.client, 'signups');
    const before = await definitionCount(a.organizationId);
    const dup = await a.client.error(DEFINE, { input: { key: 'signups', name: 'Again', aggregation: 'COUNT' } });
    expect(dup.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'key' });
    expect(dup.message).toContain('signups');
    const shadow = await a.client.error(DEFINE, { input: { key: 'conversations', name: 'Mine', aggregation: 'SUM' } });
    expect(shadow.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'key' });
    expect(shadow.message).toContain('built-in');
    expect(await definitionCount(a.organizationId)).toBe(before);
  });

  it('rejects an empty name, a NUL in it, a long unit and an unknown aggregation', async () => {
    const e = await a.client.error(DEFINE, { input: { key: 'nameless', name: '   ', aggregation: 'SUM' } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const nul = await a.client.error(DEFINE, { input: { key: 'nul', name: 'a\u0000b', aggregation: 'SUM' } });
    expect(nul.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const unit = await a.client.error(DEFINE, { input: { key: 'long_unit', name: 'x', unit: 'u'.repeat(51), aggregation: 'SUM' } });
    expect(unit.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unit' });
    const agg = await a.client.error(DEFINE, { input: { key: 'median', name: 'Median', aggregation: 'MEDIAN' } });
    expect(agg.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('needs the WRITE scope to define and READ to list', async () => {
    const reader = await apiKey(a, ['READ']);
    const e = await t.client(reader.secret).error(DEFINE, { input: { key: 'by_reader', name: 'x', aggregation: 'SUM' } });
    expect(e.extensions?.code).toBe('FORBIDDEN');
    const { metrics } = await t.client(reader.secret).data(METRICS);
    expect(metrics.some((m: { key: string }) => m.key === 'event_spend')).toBe(true);
  });

  it('keeps each tenant’s metrics to itself: keys are unique per tenant only', async () => {
    const { metrics } = await b.client.data(METRICS);
    expect(metrics.map((m: { key: string }) => m.key)).toEqual([...BUILT_INS, ...SEEDED]);
    const data = await b.client.data(DEFINE, { input: { key: 'event_spend', name: 'B spend', aggregation: 'AVG' } });
    expect(data.defineMetric).toMatchObject({ key: 'event_spend', aggregation: 'AVG' });
    const again = await a.client.data(METRICS);
    expect(again.metrics.find((m: { key: string }) => m.key === 'event_spend')).toMatchObject({ name: 'Ad spend', aggregation: 'SUM' });
  });
});
