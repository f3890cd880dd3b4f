import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, LiveClient, METRIC_UPDATED, openSubscriptions, RECORD, waitUntil } from './support/live';

let t: TestServer;
let acme: Tenant;
let globex: Tenant;
let acmeCommunity: string;
let acmeRead: string;
const clients: LiveClient[] = [];

const client = (authorization?: string) => {
  const c = new LiveClient(t.url, authorization);
  clients.push(c);
  return c;
};

/** Waits until the server has `n` subscriptions running, so that events published next reach them. */
const running = (n: number) => waitUntil(async () => (await openSubscriptions(t.server)) === n, `${n} open subscription(s)`);

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
  for (const tenant of [acme, globex]) {
    await tenant.client.data(DEFINE, { input: { key: 'leads_won', name: 'Leads won', aggregation: 'SUM' } });
  }
  const c = await acme.client.data(`mutation { createCommunity(input: {name: "Forum", platform: "forum"}) { id } }`);
  acmeCommunity = c.createCommunity.id;
  acmeRead = (await apiKey(acme, ['READ'])).secret;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await running(0);
});
afterAll(() => t.close());

describe('metricUpdated', () => {
  it('streams committed points with their commit time, filtered by metric and community', async () => {
    const live = client(acmeRead);
    const all = live.subscribe(METRIC_UPDATED);
    const inCommunity = live.subscribe(METRIC_UPDATED, { metricKey: 'leads_won', communityId: acmeCommunity.toUpperCase() });
    await running(2);
    const before = Date.now();
    await acme.client.data(RECORD, {
      points: [
        { metricKey: 'leads_won', value: 3, at: '2026-01-05T10:00:00.000Z' },
        { metricKey: 'leads_won', value: 4, at: '2026-01-05T11:00:00.000Z', communityId: acmeCommunity },
      ],
    });
    const [first, second] = await all.next(2);
    expect(first).toEqual({
      metricUpdated: { metricKey: 'leads_won', communityId: null, at: '2026-01-05T10:00:00.000Z', value: 3, committedAt: expect.any(String) },
    });
    expect(second.metricUpdated).toMatchObject({ communityId: acmeCommunity, value: 4 });
    const committedAt = Date.parse(first.metricUpdated.committedAt);
    expect(committedAt).toBeGreaterThanOrEqual(before - 1);
    expect(committedAt).toBeLessThanOrEqual(Date.now());
    const [only] = await inCommunity.next(1);
    expect(only.metricUpdated).toMatchObject({ communityId: acmeCommunity, value: 4 });
    // The community subscription did not get the point without a community: the next one it gets is a later write.
    await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 5, at: '2026-01-05T12:00:00.000Z', communityId: acmeCommunity }] });
    expect((await inCommunity.next(2))[1].metricUpdated.value).toBe(5);
  });

  it('publishes nothing for a batch that was rolled back', async () => {
    const live = client(acmeRead);
    const sub = live.subscribe(METRIC_UPDATED, { metricKey: 'leads_won' });
    await running(1);
    const e = await acme.client.error(RECORD, {
      points: [
        { metricKey: 'leads_won', value: 100, at: '2026-01-06T10:00:00.000Z' },
        { metricKey: 'no_such_metric', value: 1, at: '2026-01-06T10:00:00.000Z' },
      ],
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 1 });
    // A write that did happen inside a transaction that then rolled back (the operation's second field failed).
    const twoWrites = await acme.client.request(
      `mutation ($good: [MetricPointInput!]!, $bad: [MetricPointInput!]!) {
        good: recordMetrics(points: $good) { accepted }
        bad: recordMetrics(points: $bad) { accepted }
      }`,
      {
        good: [{ metricKey: 'leads_won', value: 101, at: '2026-01-06T10:00:00.000Z' }],
        bad: [{ metricKey: 'no_such_metric', value: 1, at: '2026-01-06T10:00:00.000Z' }],
      },
    );
    expect(twoWrites.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 7, at: '2026-01-06T11:00:00.000Z' }] });
    const [first] = await sub.next(1);
    expect(first.metricUpdated.value).toBe(7); // nothing of the rolled-back writes came before it
    const rows = await t.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE value IN (100, 101)`);
    expect(rows[0].n).toBe(0);
  });

  it('streams a built-in metric from relationship data changes', async () => {
    const live = client(acme.token);
    const sub = live.subscribe(METRIC_UPDATED, { metricKey: 'relationships', communityId: acmeCommunity });
    await running(1);
    await acme.client.data(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id } }`, {
      input: { communityId: acmeCommunity, name: 'Ada' },
    });
    const [update] = await sub.next(1);
    expect(update.metricUpdated).toMatchObject({ metricKey: 'relationships', communityId: acmeCommunity, value: 1 });
  });

  it('never delivers another tenant’s events, whatever the filter', async () => {
    const mine = client(globex.token);
    const everything = mine.subscribe(METRIC_UPDATED);
    const sameKey = mine.subscribe(METRIC_UPDATED, { metricKey: 'leads_won' });
    const theirCommunity = mine.subscribe(METRIC_UPDATED, { communityId: acmeCommunity });
    await theirCommunity.next(1);
    expect(theirCommunity.results[0].errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'communityId' } });
    const unknown = mine.subscribe(METRIC_UPDATED, { communityId: '00000000-0000-4000-8000-000000000000' });
    await unknown.next(1);
    // Another tenant's community gets exactly what a community that does not exist gets.
    expect(theirCommunity.results[0].errors![0].message.replace(acmeCommunity, 'X')).toBe(
      unknown.results[0].errors![0].message.replace('00000000-0000-4000-8000-000000000000', 'X'),
    );
    await running(2);
    await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 1, at: '2026-01-07T10:00:00.000Z', communityId: acmeCommunity }] });
    await globex.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 2, at: '2026-01-07T10:00:00.000Z' }] });
    expect((await everything.next(1))[0].metricUpdated.value).toBe(2);
    expect((await sameKey.next(1))[0].metricUpdated.value).toBe(2);
  });

  it('answers bad input with an error on that subscription and keeps the socket for the others', async () => {
    const live = client(acmeRead);
    const good = live.subscribe(METRIC_UPDATED, { metricKey: 'leads_won' });
    const badKey = live.subscribe(METRIC_UPDATED, { metricKey: 'nope' });
    const badWindow = live.subscribe(`subscription { roiUpdated(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { roi } }`);
    const badGoal = live.subscribe(`subscription { goalProgressUpdated(goalId: "not-a-goal") { goalId } }`);
    for (const [sub, code, field] of [
      [badKey, 'BAD_USER_INPUT', 'metricKey'],
      [badWindow, 'BAD_USER_INPUT', 'to'],
      [badGoal, 'NOT_FOUND', undefined],
    ] as const) {
      await sub.ended();
      expect(sub.results[0].errors?.[0].extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    }
    await running(1);
    await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 9, at: '2026-01-08T10:00:00.000Z' }] });
    expect((await good.next(1))[0].metricUpdated.value).toBe(9);
    expect(live.closes).toEqual([]);
  });

  it('keeps the open-subscriptions gauge exact as subscriptions start and end every way', async () => {
    const baseline = t.server.app.pubsub.listenerCount(); // node-wide listeners (session revocations)
    const a = client(acmeRead);
    const s1 = a.subscribe(METRIC_UPDATED);
    const s2 = a.subscribe(METRIC_UPDATED, { metricKey: 'leads_won' });
    await running(2);
    const failed = a.subscribe(METRIC_UPDATED, { metricKey: 'nope' });
    await failed.ended();
    expect(await openSubscriptions(t.server)).toBe(2); // a subscription that never started is never counted
    s1.unsubscribe(); // the client completes it
    await running(1);
    const b = client(acmeRead);
    b.subscribe(METRIC_UPDATED);
    await running(2);
    await b.dispose(); // the socket closes
    await running(1);
    // s2's listener remains (revocations come through PostgreSQL, not through pub/sub).
    expect(t.server.app.pubsub.listenerCount()).toBe(baseline + 1);
    s2.unsubscribe(); // the last subscription: the lazy client closes its socket too
    await running(0);
    await waitUntil(() => t.server.app.pubsub.listenerCount() === baseline, 'no listeners');
  });
});

describe('operations over the socket', () => {
  it('commits a mutation sent over WebSocket and publishes after the commit', async () => {
    const live = client(acme.token);
    const sub = live.subscribe(METRIC_UPDATED, { metricKey: 'leads_won' });
    await running(1);
    const mutation = live.subscribe(RECORD, { points: [{ metricKey: 'leads_won', value: 11, at: '2026-01-09T10:00:00.000Z' }] });
    await mutation.ended();
    expect(mutation.data[0]).toEqual({ recordMetrics: { accepted: 1, duplicates: 0 } });
    expect((await sub.next(1))[0].metricUpdated.value).toBe(11);
    const rows = await t.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE value = 11`);
    expect(rows[0].n).toBe(1);
  });

  it('rolls back a mutation over WebSocket that fails, the part that succeeded included, and publishes nothing', async () => {
    const live = client(acme.token);
    const sub = live.subscribe(METRIC_UPDATED, { metricKey: 'leads_won' });
    await running(1);
    const failed = live.subscribe(
      `mutation ($good: [MetricPointInput!]!, $bad: [MetricPointInput!]!) {
        good: recordMetrics(points: $good) { accepted }
        bad: recordMetrics(points: $bad) { accepted }
      }`,
      {
        good: [{ metricKey: 'leads_won', value: 12, at: '2026-01-09T10:00:00.000Z' }],
        bad: [{ metricKey: 'no_such_metric', value: 1, at: '2026-01-09T10:00:00.000Z' }],
      },
    );
    await failed.ended();
    expect(failed.results[0].errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const rows = await t.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE value = 12`);
    expect(rows[0].n).toBe(0);
    // Its event was never published: the first one the subscriber hears is a later write's.
    await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 13, at: '2026-01-09T10:00:00.000Z' }] });
    expect((await sub.next(1))[0].metricUpdated.value).toBe(13);
  });
});
