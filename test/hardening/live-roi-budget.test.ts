import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, LiveClient, RECORD, waitUntil, type Subscription } from '../live/support/live';

// Finding 4 of issue 8: one READ key with 40 roiUpdated subscriptions over distinct 9,000-hour HOUR
// windows made each one-point write cost 2 s of CPU. The live ROI budget (docs/security.md) bounds it.

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
/** The documented defaults (docs/security.md), which the server under test runs with. */
const DEFAULTS = { windowsPerTenant: 20, bucketsPerTenant: 20_000, windowsPerNode: 2_000, bucketsPerNode: 400_000 };

const FIELDS = `from to return investment roi series { start return investment roi } byCommunity { community { id } return } contributions { term value share }`;
const ROI_UPDATED = `subscription ($modelId: ID, $from: DateTime!, $to: DateTime, $interval: Interval) {
  roiUpdated(modelId: $modelId, from: $from, to: $to, interval: $interval) { ${FIELDS} }
}`;
const ROI = `query ($modelId: ID, $from: DateTime!, $to: DateTime!, $interval: Interval) {
  roi(modelId: $modelId, from: $from, to: $to, interval: $interval) { ${FIELDS} }
}`;
const CREATE_MODEL = `mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`;

let t: TestServer;
let acme: Tenant;
let globex: Tenant;
let acmeRead: string;
let acmeModel: string;
let globexModel: string;
const clients: LiveClient[] = [];

const client = (authorization = acmeRead) => {
  const c = new LiveClient(t.url, authorization);
  clients.push(c);
  return c;
};

/** A value of the server's own /metrics (the test reads what an operator would). */
async function scrape(name: string, url = t.url): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  if (!match) throw new Error(`${name} is not in /metrics`);
  return Number(match[1]);
}

/** Resolves with 'ok' once the subscription's first report arrived, or 'refused' with its error. */
async function outcome(sub: Subscription): Promise<'ok' | 'refused'> {
  await waitUntil(() => sub.results.length > 0 || sub.error !== undefined || sub.completed, 'a first answer', 60_000);
  return sub.results[0]?.data ? 'ok' : 'refused';
}

const point = (metricKey: string, at: number, value = 1) => acme.client.data(RECORD, { points: [{ metricKey, value, at: iso(at) }] });

beforeAll(async () => {
  t = await startTestServer({ rateLimitPerMinute: 0 });
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
  for (const tenant of [acme, globex]) {
    for (const key of ['deals', 'spend']) await tenant.client.data(DEFINE, { input: { key, name: key, aggregation: 'SUM' } });
  }
  const model = { name: 'Deals', returnFormula: 'deals * deal_value', investmentFormula: 'spend', parameters: [{ name: 'deal_value', value: 100 }] };
  acmeModel = (await acme.client.data(CREATE_MODEL, { input: model })).createRoiModel.id;
  globexModel = (await globex.client.data(CREATE_MODEL, { input: model })).createRoiModel.id;
  acmeRead = (await apiKey(acme, ['READ'])).secret;
  await point('spend', BASE + HOUR, 1000);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await waitUntil(async () => (await scrape('rapport_live_roi_windows')) === 0, 'no live ROI window left');
});
afterAll(() => t.close());

describe('live ROI budget (issue 8, finding 4)', () => {
  it('computes windows that differ only in `to` once per write, each report equal to a fresh roi query', async () => {
    const tos = [BASE + 3 * DAY, BASE + 3 * DAY + 12 * HOUR, BASE + 5 * DAY, BASE + 5 * DAY + 7 * HOUR, BASE + 10 * DAY];
    const live = client();
    const vars = tos.map((to) => ({ modelId: acmeModel, from: iso(BASE), to: iso(to), interval: 'DAY' }));
    const subs = vars.map((v) => live.subscribe(ROI_UPDATED, v));
    await Promise.all(subs.map((s) => s.next(1)));
    expect(await scrape('rapport_live_roi_windows')).toBe(tos.length);

    // A point inside every window: one computation for all five.
    const before = await scrape('rapport_live_roi_computations_total');
    await point('deals', BASE + DAY + HOUR, 3);
    await Promise.all(subs.map((s) => s.next(2)));
    expect((await scrape('rapport_live_roi_computations_total')) - before).toBe(1);
    for (const [i, s] of subs.entries()) {
      const fresh = (await acme.client.data(ROI, vars[i])).roi;
      expect(s.data[1].roiUpdated).toEqual(fresh);
      expect(fresh.return).toBe(300);
    }

    // A point at day 4 lies only in the last three windows (the second one's last bucket is cut at 12:00 on day 3).
    await point('deals', BASE + 4 * DAY, 2);
    await Promise.all(subs.slice(2).map((s) => s.next(3)));
    await point('deals', BASE + 3 * DAY + 6 * HOUR, 1); // inside the second window's cut bucket and the later ones
    await Promise.all([subs[1].next(3), ...subs.slice(2).map((s) => s.next(4))]);
    expect((await scrape('rapport_live_roi_computations_total')) - before).toBe(3);
    expect(subs[0].results).toHaveLength(2);
    for (const [i, s] of subs.entries()) expect(s.data.at(-1)!.roiUpdated).toEqual((await acme.client.data(ROI, vars[i])).roi);
  });

  it(`refuses the organization's ${DEFAULTS.windowsPerTenant + 1}st distinct window with BAD_USER_INPUT naming the limit`, async () => {
    const live = client();
    const window = (i: number) => ({ modelId: acmeModel, from: iso(BASE + i * HOUR), to: iso(BASE + 30 * DAY) });
    const subs = Array.from({ length: DEFAULTS.windowsPerTenant }, (_, i) => live.subscribe(ROI_UPDATED, window(i)));
    await Promise.all(subs.map((s) => s.next(1)));

    const past = live.subscribe(ROI_UPDATED, window(DEFAULTS.windowsPerTenant));
    expect(await outcome(past)).toBe('refused');
    expect(past.results[0].errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'LIVE_ROI_WINDOWS', max: DEFAULTS.windowsPerTenant });
    expect(past.results[0].errors![0].message).toMatch(/At most 20 distinct live ROI windows per organization/);

    // A window already followed is shared, not refused; another organization has its own budget.
    expect(await outcome(live.subscribe(ROI_UPDATED, window(0)))).toBe('ok');
    expect(await outcome(client(globex.token).subscribe(ROI_UPDATED, { ...window(99), modelId: globexModel }))).toBe('ok');
    // Ending a window frees its place.
    subs[1].unsubscribe();
    await waitUntil(async () => (await scrape('rapport_live_roi_windows')) === DEFAULTS.windowsPerTenant, 'the freed window');
    expect(await outcome(live.subscribe(ROI_UPDATED, window(DEFAULTS.windowsPerTenant)))).toBe('ok');
  });

  it('holds one READ key with 40 subscriptions over distinct 9,000-hour HOUR windows to the bucket budget, write after write', async () => {
    const live = client();
    const subs = Array.from({ length: 40 }, (_, i) =>
      live.subscribe(ROI_UPDATED, { modelId: acmeModel, from: iso(BASE + i * HOUR), to: iso(BASE + (i + 9000) * HOUR), interval: 'HOUR' }),
    );
    const outcomes = await Promise.all(subs.map(outcome));
    const accepted = subs.filter((_, i) => outcomes[i] === 'ok');
    // 9,001 buckets a window (counted generously): two fit in 20,000.
    expect(accepted).toHaveLength(2);
    for (const s of subs.filter((_, i) => outcomes[i] === 'refused')) {
      expect(s.results[0].errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'LIVE_ROI_WINDOWS', max: DEFAULTS.bucketsPerTenant });
    }
    expect(await scrape('rapport_live_roi_buckets')).toBeLessThanOrEqual(DEFAULTS.bucketsPerTenant);

    const before = { buckets: await scrape('rapport_live_roi_buckets_computed_total'), runs: await scrape('rapport_live_roi_computations_total') };
    const expected = accepted.map((s) => s.data.at(-1)!.roiUpdated.return as number);
    for (let i = 0; i < 10; i++) await point('deals', BASE + 100 * HOUR + i * 1000);
    await Promise.all(accepted.map((s, i) => waitUntil(() => s.data.at(-1)!.roiUpdated.return === expected[i] + 1000, 'the ten writes', 60_000)));
    const runs = (await scrape('rapport_live_roi_computations_total')) - before.runs;
    const buckets = (await scrape('rapport_live_roi_buckets_computed_total')) - before.buckets;
    // Each computation evaluates at most the organization's budget of buckets, whatever was subscribed.
    expect(runs).toBeGreaterThan(0);
    expect(buckets).toBeLessThanOrEqual(runs * DEFAULTS.bucketsPerTenant);
    expect(buckets).toBeLessThanOrEqual(10 * 2 * 9001);
  });

  it('caps the distinct windows of a node, all organizations together', async () => {
    const small = await startTestServer({ rateLimitPerMinute: 0, liveRoi: { ...DEFAULTS, windowsPerNode: 2 } }, { db: t.db });
    const own = (authorization: string) => {
      const c = new LiveClient(small.url, authorization);
      clients.push(c);
      return c;
    };
    try {
      const mine = own(acmeRead);
      const window = (i: number) => ({ from: iso(BASE + i * HOUR), to: iso(BASE + 30 * DAY) });
      for (const i of [0, 1]) expect(await outcome(mine.subscribe(ROI_UPDATED, { ...window(i), modelId: acmeModel }))).toBe('ok');
      const theirs = own(globex.token).subscribe(ROI_UPDATED, { ...window(0), modelId: globexModel });
      expect(await outcome(theirs)).toBe('refused');
      expect(theirs.results[0].errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'LIVE_ROI_WINDOWS', max: 2 });
      expect(await scrape('rapport_live_roi_windows', small.url)).toBe(2);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await small.close();
    }
  });
});
