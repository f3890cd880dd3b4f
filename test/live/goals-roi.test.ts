import { roiFeeds } from '../../src/modules/roi/roi-updates.feed';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, LiveClient, openSubscriptions, RECORD, waitUntil } from './support/live';

let t: TestServer;
let acme: Tenant;
let globex: Tenant;
let acmeRead: string;
const clients: LiveClient[] = [];

const client = (authorization: string) => {
  const c = new LiveClient(t.url, authorization);
  clients.push(c);
  return c;
};
const running = (n: number) => waitUntil(async () => (await openSubscriptions(t.server)) === n, `${n} open subscription(s)`);
const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const GOAL_PROGRESS = `subscription ($goalId: ID) { goalProgressUpdated(goalId: $goalId) { goalId current target ratio onTrack } }`;
const CREATE_GOAL = `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { id } }`;
const ROI_UPDATED = `subscription ($modelId: ID, $from: DateTime!, $to: DateTime) {
  roiUpdated(modelId: $modelId, from: $from, to: $to) { version from to return investment roi variables { name value } }
}`;
const ROI = `query ($modelId: ID, $from: DateTime!, $to: DateTime!) {
  roi(modelId: $modelId, from: $from, to: $to) { version from to return investment roi variables { name value } }
}`;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
  for (const key of ['deals', 'spend']) {
    await acme.client.data(DEFINE, { input: { key, name: key, aggregation: 'SUM' } });
  }
  acmeRead = (await apiKey(acme, ['READ'])).secret;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await running(0);
});
afterAll(() => t.close());

describe('goalProgressUpdated', () => {
  const now = Date.now();
  const period = { startsAt: iso(now - 24 * HOUR), endsAt: iso(now + 24 * HOUR) };

  it('gives the progress at once, then after points of its metric and changes to the goal, and completes on delete', async () => {
    const { createGoal } = await acme.client.data(CREATE_GOAL, { input: { name: 'Deals', metricKey: 'deals', target: 10, ...period } });
    const live = client(acmeRead);
    const one = live.subscribe(GOAL_PROGRESS, { goalId: createGoal.id });
    const all = live.subscribe(GOAL_PROGRESS);
    const [initial] = await one.next(1);
    expect(initial.goalProgressUpdated).toEqual({ goalId: createGoal.id, current: 0, target: 10, ratio: 0, onTrack: false });
    await running(2);
    await acme.client.data(RECORD, { points: [{ metricKey: 'deals', value: 4, at: iso(now - HOUR) }] });
    expect((await one.next(2))[1].goalProgressUpdated).toMatchObject({ current: 4, ratio: 0.4 });
    expect((await all.next(1))[0].goalProgressUpdated).toMatchObject({ goalId: createGoal.id, current: 4 });
    // A point outside the goal's period moves nothing; the goal's own change does.
    await acme.client.data(RECORD, { points: [{ metricKey: 'deals', value: 50, at: iso(now - 72 * HOUR) }] });
    await acme.client.data(`mutation ($id: ID!) { updateGoal(id: $id, input: {target: 8}) { id } }`, { id: createGoal.id });
    expect((await one.next(3))[2].goalProgressUpdated).toMatchObject({ current: 4, target: 8, ratio: 0.5 });
    await acme.client.data(`mutation ($id: ID!) { deleteGoal(id: $id) }`, { id: createGoal.id });
    await one.ended();
    expect(one.completed).toBe(true);
    expect(one.results).toHaveLength(3);
  });

  it('treats another tenant’s goal exactly like a goal that does not exist', async () => {
    const { createGoal } = await acme.client.data(CREATE_GOAL, { input: { name: 'Mine', metricKey: 'deals', target: 1, ...period } });
    const live = client(globex.token);
    const theirs = live.subscribe(GOAL_PROGRESS, { goalId: createGoal.id });
    const none = live.subscribe(GOAL_PROGRESS, { goalId: '00000000-0000-4000-8000-000000000000' });
    await theirs.ended();
    await none.ended();
    expect(theirs.results[0].errors![0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(theirs.results[0].errors![0].message.replace(createGoal.id, 'X')).toBe(
      none.results[0].errors![0].message.replace('00000000-0000-4000-8000-000000000000', 'X'),
    );
    // And globex's unfiltered subscription hears nothing of acme's writes.
    const all = live.subscribe(GOAL_PROGRESS);
    await running(1);
    await acme.client.data(RECORD, { points: [{ metricKey: 'deals', value: 1, at: iso(now) }] });
    await globex.client.data(DEFINE, { input: { key: 'deals', name: 'deals', aggregation: 'SUM' } });
    const { createGoal: own } = await globex.client.data(CREATE_GOAL, { input: { name: 'Own', metricKey: 'deals', target: 2, ...period } });
    const [first] = await all.next(1);
    expect(first.goalProgressUpdated.goalId).toBe(own.id);
  });
});

describe('roiUpdated', () => {
  const from = '2026-03-01T00:00:00.000Z';
  const to = '2026-04-01T00:00:00.000Z';
  let modelId: string;

  beforeAll(async () => {
    const data = await acme.client.data(
      `mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`,
      { input: { name: 'Deals', returnFormula: 'deals * deal_value', investmentFormula: 'spend', parameters: [{ name: 'deal_value', value: 100 }] } },
    );
    modelId = data.createRoiModel.id;
    await acme.client.data(RECORD, { points: [{ metricKey: 'spend', value: 1000, at: '2026-03-02T00:00:00.000Z' }] });
  });

  it('gives the current report at once, then the recomputed one after a write in the window', async () => {
    const live = client(acmeRead);
    const sub = live.subscribe(ROI_UPDATED, { modelId, from, to });
    const [initial] = await sub.next(1);
    expect(initial.roiUpdated).toMatchObject({ return: 0, investment: 1000, roi: -1, from, to });
    await acme.client.data(RECORD, { points: [{ metricKey: 'deals', value: 15, at: '2026-03-10T00:00:00.000Z' }] });
    const [, after] = await sub.next(2);
    expect(after.roiUpdated).toMatchObject({ return: 1500, investment: 1000, roi: 0.5 });
    await acme.client.data(`mutation ($id: ID!) { updateRoiModel(id: $id, input: {parameters: [{name: "deal_value", value: 200}]}) { version } }`, {
      id: modelId,
    });
    const [, , changed] = await sub.next(3);
    expect(changed.roiUpdated).toMatchObject({ version: 2, return: 3000, roi: 2 });
  });

  it('recomputes at most once per 250 ms per model and window, one result shared by every subscriber', async () => {
    const lives = Array.from({ length: 5 }, () => client(acmeRead));
    const subs = lives.flatMap((live) => Array.from({ length: 10 }, () => live.subscribe(ROI_UPDATED, { modelId, from, to })));
    await Promise.all(subs.map((s) => s.next(1)));
    const coalescer = roiFeeds(t.server.app);
    const before = coalescer.computations;
    const started = Date.now();
    // 100 single-point writes, 10 at a time.
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          acme.client.data(RECORD, { points: [{ metricKey: 'deals', value: 1, at: iso(Date.parse('2026-03-15T00:00:00.000Z') + (i * 10 + j) * 1000) }] }),
        ),
      );
    }
    const elapsed = Date.now() - started;
    const expected = (await acme.client.data(ROI, { modelId, from, to })).roi;
    // Every subscriber ends up with the report a fresh query gives.
    await Promise.all(subs.map((s) => waitUntil(() => s.data.at(-1)!.roiUpdated.return === expected.return, 'the final report')));
    const ran = coalescer.computations - before;
    expect(ran).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(ran).toBeLessThan(20);
    for (const s of subs) {
      expect(s.data.at(-1)!.roiUpdated).toEqual(expected);
      expect(s.results.length).toBe(subs[0].results.length); // the same reports, shared
    }
  });

  it('answers an unknown model, another tenant’s model and a reversed window with an error', async () => {
    const live = client(globex.token);
    const theirs = live.subscribe(ROI_UPDATED, { modelId, from, to });
    const none = live.subscribe(ROI_UPDATED, { modelId: '00000000-0000-4000-8000-000000000000', from, to });
    const reversed = live.subscribe(ROI_UPDATED, { modelId, from: to, to: from });
    for (const s of [theirs, none, reversed]) await s.ended();
    expect(theirs.results[0].errors![0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(theirs.results[0].errors![0].message.replace(modelId, 'X')).toBe(
      none.results[0].errors![0].message.replace('00000000-0000-4000-8000-000000000000', 'X'),
    );
    expect(reversed.results[0].errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(roiFeeds(t.server.app).size()).toBe(0);
  });
});
