import { setTimezone } from '../metrics/metric-builders';
import { createCommunity, createRelationship, logConversation } from '../relationships/graph-builders';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * An organization that brings five years of relationships and conversations through the API
 * (connectedAt, stageHistory, stageChangedAt, occurredAt) sees the same ROI, series and goals as
 * one that recorded them live, and both equal a hand computation from the dated inputs, in
 * Europe/Paris (month and day buckets across DST changes).
 */
let t: TestServer;
let live: Tenant;
let told: Tenant;

const ZONE = 'Europe/Paris';
const FROM = '2020-12-31T23:00:00.000Z'; // 2021-01-01 00:00 in Paris
const TO = '2025-12-31T23:00:00.000Z'; // 2026-01-01 00:00 in Paris
const STAGES = ['CONNECTED', 'ENGAGED', 'LEAD', 'OPPORTUNITY', 'CUSTOMER'] as const;
type Stage = (typeof STAGES)[number];
const rank = (s: Stage) => STAGES.indexOf(s) + 1;

/** One person of the dataset: when connected, every stage move (any direction, in time order), conversations. */
interface Person {
  community: 0 | 1;
  qualified: boolean;
  connectedAt: string;
  /** The stage at connectedAt. */
  start: Stage;
  moves: Array<[Stage, string]>;
  conversations: Array<{ at: string; qualified: boolean; sentiment: number }>;
}

/** A deterministic generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

function dataset(): Person[] {
  const rnd = random(12);
  const start = Date.parse('2021-01-01T06:00:00Z');
  const people: Person[] = [];
  for (let i = 0; i < 48; i++) {
    let at = start + Math.floor(rnd() * 1700) * DAY + Math.floor(rnd() * 86_400) * 1000;
    const connectedAt = iso(at);
    const top = 1 + Math.floor(rnd() * 5);
    const moves: Array<[Stage, string]> = [];
    for (let r = 2; r <= top; r++) {
      if (rnd() < 0.3) continue; // a stage skipped
      at += Math.floor(1 + rnd() * 40) * DAY + 3_600_000;
      moves.push([STAGES[r - 1], iso(at)]);
    }
    const conversations = Array.from({ length: Math.floor(rnd() * 4) }, (_, k) => ({
      at: iso(Date.parse(connectedAt) + (k + 1) * 9 * DAY),
      qualified: rnd() < 0.5,
      sentiment: Math.round(rnd() * 20 - 10) / 10,
    }));
    people.push({ community: (i % 2) as 0 | 1, qualified: rnd() < 0.4, connectedAt, start: 'CONNECTED', moves, conversations });
  }
  // Around DST changes and Paris month ends: the UTC date and the Paris date differ.
  people.push(
    // 2023-04-01 00:30 in Paris (summer time): April there, March in UTC.
    { community: 0, qualified: true, connectedAt: '2023-03-31T22:30:00Z', start: 'LEAD', moves: [['CUSTOMER', '2023-10-31T23:30:00Z']], conversations: [] },
    // Connected 2022-03-27 01:30 in Paris (the night clocks go forward); a LEAD, down and up again (counted once).
    {
      community: 1,
      qualified: false,
      connectedAt: '2022-03-27T00:30:00Z',
      start: 'CONNECTED',
      moves: [
        ['LEAD', '2022-03-27T01:30:00Z'],
        ['ENGAGED', '2022-05-01T10:00:00Z'],
        ['LEAD', '2022-06-01T10:00:00Z'],
        ['OPPORTUNITY', '2022-10-30T00:30:00Z'],
      ],
      conversations: [{ at: '2022-10-30T01:30:00Z', qualified: true, sentiment: 0.5 }],
    },
    // Began as an OPPORTUNITY at 2024-12-31 23:59 UTC = 2025-01-01 00:59 in Paris.
    { community: 0, qualified: true, connectedAt: '2024-12-31T23:59:00Z', start: 'OPPORTUNITY', moves: [], conversations: [] },
  );
  return people;
}

const MONTH_FORMAT = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' });
const PEOPLE = dataset();
/** Hours invested, one point a Paris month at its first instant. */
const HOURS = Array.from({ length: 60 }, (_, m) => ({ at: parisMonthStart(2021 + Math.floor(m / 12), (m % 12) + 1), value: 10 + (m % 7) }));

/** The UTC instant of midnight on the 1st of a month in Paris. */
function parisMonthStart(year: number, month: number): string {
  for (const offset of [1, 2]) {
    const at = Date.UTC(year, month - 1, 1, -offset);
    if (parisMonth(iso(at)) === `${year}-${String(month).padStart(2, '0')}` && parisMonth(iso(at - 1)) !== parisMonth(iso(at))) return iso(at);
  }
  throw new Error('no month start');
}

/** `YYYY-MM` of an instant in Paris. */
function parisMonth(at: string): string {
  return MONTH_FORMAT.format(new Date(at)).slice(0, 7);
}

/** Each person's first reach of LEAD, OPPORTUNITY and CUSTOMER (or a later stage): what the built-in metrics count. */
function firstReach(p: Person, stage: Stage): string | null {
  const changes: Array<[Stage, string]> = [[p.start, p.connectedAt], ...p.moves];
  return changes.find(([s]) => rank(s) >= rank(stage))?.[1] ?? null;
}

/** The default model's figures per Paris month, by hand. */
function expectedSeries(): Array<{ start: string; return: number; investment: number; roi: number | null }> {
  const months = HOURS.map((h) => h.at);
  return months.map((start) => {
    const month = parisMonth(start);
    const count = (stage: Stage) => PEOPLE.filter((p) => firstReach(p, stage) && parisMonth(firstReach(p, stage)!) === month).length;
    const ret = count('LEAD') * 500 + count('OPPORTUNITY') * 5000 + count('CUSTOMER') * 20000;
    const investment = HOURS.filter((h) => parisMonth(h.at) === month).reduce((s, h) => s + h.value, 0) * 75;
    return { start, return: ret, investment, roi: investment ? (ret - investment) / investment : null };
  });
}

const UPDATE = `mutation ($id: ID!, $input: UpdateRelationshipInput!) { updateRelationship(id: $id, input: $input) { id } }`;

/** Records the people the way an import of the past does: every time given through the API. */
async function tell(tenant: Tenant, communities: string[]): Promise<void> {
  for (const p of PEOPLE) {
    // The forward part of the moves goes into stageHistory, the rest (backwards and on) through updates.
    const forward: Array<[Stage, string]> = [];
    let i = 0;
    for (let top = rank(p.start); i < p.moves.length && rank(p.moves[i][0]) > top; i++) {
      forward.push(p.moves[i]);
      top = rank(p.moves[i][0]);
    }
    const stageHistory = [...(p.start === 'CONNECTED' ? [] : [{ stage: p.start, at: p.connectedAt }]), ...forward.map(([stage, at]) => ({ stage, at }))];
    const id = await createRelationship(tenant.client, communities[p.community], { qualified: p.qualified, connectedAt: p.connectedAt, stageHistory });
    for (const [stage, at] of p.moves.slice(i)) await tenant.client.data(UPDATE, { id, input: { stage, stageChangedAt: at } });
    for (const c of p.conversations) await logConversation(tenant.client, id, { occurredAt: c.at, qualified: c.qualified, sentiment: c.sentiment });
  }
}

/**
 * Records the people as if live: each written without dates and stamped at its true time
 * afterwards (as the owner), the state a tenant that used Rapport from day one would have.
 */
async function recordLive(tenant: Tenant, communities: string[]): Promise<void> {
  for (const p of PEOPLE) {
    const id = await createRelationship(tenant.client, communities[p.community], { qualified: p.qualified, stage: p.start });
    for (const [stage] of p.moves) await tenant.client.data(UPDATE, { id, input: { stage } });
    await t.ds.query(`UPDATE relationships SET created_at = $2, connected_at = $2 WHERE id = $1`, [id, p.connectedAt]);
    const changes: Array<{ id: string }> = await t.ds.query(`SELECT id FROM relationship_stage_changes WHERE relationship_id = $1 ORDER BY changed_at, id`, [id]);
    expect(changes).toHaveLength(p.moves.length + 1);
    const times = [p.connectedAt, ...p.moves.map(([, at]) => at)];
    for (let k = 0; k < changes.length; k++) await t.ds.query(`UPDATE relationship_stage_changes SET changed_at = $2 WHERE id = $1`, [changes[k].id, times[k]]);
    for (const c of p.conversations) await logConversation(tenant.client, id, { occurredAt: c.at, qualified: c.qualified, sentiment: c.sentiment });
  }
}

async function setUp(tenant: Tenant, record: (tenant: Tenant, communities: string[]) => Promise<void>): Promise<void> {
  await setTimezone(tenant.client, ZONE);
  const communities = [await createCommunity(tenant.client, { name: 'Forum' }), await createCommunity(tenant.client, { name: 'Meetup' })];
  await record(tenant, communities);
  await tenant.client.data(`mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) { accepted } }`, {
    p: HOURS.map((h) => ({ metricKey: 'hours_invested', value: h.value, at: h.at })),
  });
}

beforeAll(async () => {
  t = await startTestServer();
  live = await signUp(t, 'Live since 2021');
  told = await signUp(t, 'Imported five years');
  await setUp(live, recordLive);
  await setUp(told, tell);
}, 240_000);
afterAll(() => t.close());

const ROI = `query ($from: DateTime!, $to: DateTime!, $interval: Interval) {
  roi(from: $from, to: $to, interval: $interval) {
    return investment roi variables { name value } series { start return investment roi }
    byCommunity { community { name } return investment roi }
  }
}`;
const SERIES = `query ($k: String!, $from: DateTime!, $to: DateTime!, $i: Interval!) { metricSeries(metricKey: $k, from: $from, to: $to, interval: $i) { start value count } }`;

describe('five years told through the API', () => {
  it('gives the ROI series by Paris month a hand computation gives, and the same as recorded live', async () => {
    const expected = expectedSeries();
    expect(expected).toHaveLength(60);
    // The dataset must exercise the figures: leads, opportunities and customers in many months.
    expect(expected.filter((m) => m.return > 0).length).toBeGreaterThan(20);
    const [a, b] = await Promise.all([live, told].map((x) => x.client.data(ROI, { from: FROM, to: TO, interval: 'MONTH' })));
    expect(b.roi.series).toEqual(expected);
    // byCommunity comes in community id order, which differs between the two organizations.
    const byName = (r: { byCommunity: Array<{ community: { name: string } | null }> }) => ({
      ...r,
      byCommunity: [...r.byCommunity].sort((x, y) => (x.community?.name ?? '').localeCompare(y.community?.name ?? '')),
    });
    expect(byName(a.roi)).toEqual(byName(b.roi));
    const forum = PEOPLE.filter((p) => p.community === 0);
    const reached = (stage: Stage) => forum.filter((p) => firstReach(p, stage) !== null).length;
    const forumReturn = reached('LEAD') * 500 + reached('OPPORTUNITY') * 5000 + reached('CUSTOMER') * 20000;
    expect(b.roi.byCommunity.find((c: { community: { name: string } | null }) => c.community?.name === 'Forum')).toEqual({
      community: { name: 'Forum' },
      return: forumReturn,
      investment: 0,
      roi: null,
    });
    const total = expected.reduce((s, m) => ({ r: s.r + m.return, i: s.i + m.investment }), { r: 0, i: 0 });
    expect(b.roi).toMatchObject({ return: total.r, investment: total.i, roi: (total.r - total.i) / total.i });
  });

  it.each(['relationships', 'qualified_relationships', 'leads', 'opportunities', 'customers', 'conversations', 'qualified_conversations', 'avg_sentiment'])(
    'gives the same %s series as recorded live, by month and by day',
    async (k) => {
      for (const [from, to, i] of [
        [FROM, TO, 'MONTH'],
        ['2022-03-20T23:00:00Z', '2022-04-10T22:00:00Z', 'DAY'],
        ['2022-10-23T22:00:00Z', '2022-11-06T23:00:00Z', 'DAY'],
      ]) {
        const [a, b] = await Promise.all([live, told].map((x) => x.client.data(SERIES, { k, from, to, i })));
        // Means are summed in whatever order PostgreSQL reads the rows: equal up to the last bits.
        const close = (s: { start: string; value: number | null; count: number }[]) =>
          s.map((p) => ({ ...p, value: p.value === null ? null : Math.round(p.value * 1e9) / 1e9 }));
        expect(close(b.metricSeries)).toEqual(close(a.metricSeries));
      }
    },
  );

  it('counts by Paris day across the spring DST change, exactly', async () => {
    const { metricSeries } = await told.client.data(SERIES, { k: 'leads', from: '2022-03-25T23:00:00Z', to: '2022-03-28T22:00:00Z', i: 'DAY' });
    const expected = ['2022-03-25T23:00:00.000Z', '2022-03-26T23:00:00.000Z', '2022-03-27T22:00:00.000Z'].map((start, d, all) => {
      const end = all[d + 1] ?? '2022-03-28T22:00:00.000Z';
      const n = PEOPLE.filter((p) => {
        const at = firstReach(p, 'LEAD');
        return at !== null && Date.parse(at) >= Date.parse(start) && Date.parse(at) < Date.parse(end);
      }).length;
      return { start, value: n, count: n };
    });
    // The 27th is 23 hours long in Paris; the person who became a LEAD at 03:30 local time counts on it.
    expect(expected[1].value).toBeGreaterThanOrEqual(1);
    expect(metricSeries).toEqual(expected);
  });

  it('gives a goal over a Paris year the hand-counted progress', async () => {
    const period = { startsAt: '2021-12-31T23:00:00Z', endsAt: '2022-12-31T23:00:00Z' };
    const leads2022 = PEOPLE.filter((p) => {
      const at = firstReach(p, 'LEAD');
      return at !== null && parisMonth(at).startsWith('2022');
    }).length;
    const create = `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { progress { current target } } }`;
    for (const tenant of [live, told]) {
      const { createGoal } = await tenant.client.data(create, { input: { name: 'Leads 2022', metricKey: 'leads', target: 100, ...period } });
      expect(createGoal.progress).toEqual({ current: leads2022, target: 100 });
    }
    expect(leads2022).toBeGreaterThan(3);
  });
});
