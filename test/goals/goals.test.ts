import { GOAL_CHANGED, type GoalChangedEvent } from '../../src/modules/goals/goal.events';
import { defineMetric, record } from '../metrics/metric-builders';
import { createCommunity, createRelationship, UNKNOWN_ID } from '../relationships/graph-builders';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let a: Tenant;
let b: Tenant;

const FIELDS = `id name description metricKey target startsAt endsAt createdAt updatedAt
  progress { goalId current target ratio elapsed onTrack }`;
const CREATE = `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateGoalInput!) { updateGoal(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteGoal(id: $id) }`;
const GOAL = `query ($id: ID!) { goal(id: $id) { ${FIELDS} } }`;
const GOALS = `query ($first: Int, $after: String) {
  goals(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${FIELDS} } } }
}`;

const JANUARY = { startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2026-02-01T00:00:00.000Z' };
const DAY = 86_400_000;

async function createGoal(tenant: Tenant, input: Record<string, unknown>) {
  return (await tenant.client.data(CREATE, { input: { name: 'Goal', metricKey: 'signups', target: 100, ...JANUARY, ...input } })).createGoal;
}

async function goalCount(organizationId: string): Promise<number> {
  const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM goals WHERE organization_id = $1`, [organizationId]);
  return row.n;
}

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Goals A');
  b = await signUp(t, 'Goals B');
  await defineMetric(a.client, 'signups', 'SUM');
  await defineMetric(a.client, 'nps', 'AVG');
  await defineMetric(b.client, 'signups', 'SUM');
  const now = Date.now();
  await record(a.client, [
    { metricKey: 'signups', value: 30, at: '2025-12-31T23:59:59Z' }, // before January
    { metricKey: 'signups', value: 40, at: '2026-01-01T00:00:00Z' },
    { metricKey: 'signups', value: 35, at: '2026-01-31T23:59:59Z' },
    { metricKey: 'signups', value: 50, at: '2026-02-01T00:00:00Z' }, // January's end, excluded
    { metricKey: 'signups', value: 7, at: new Date(now - 4 * DAY).toISOString() },
    { metricKey: 'signups', value: 5, at: new Date(now - 2 * DAY).toISOString() },
    { metricKey: 'nps', value: 8, at: '2026-01-10T00:00:00Z' },
    { metricKey: 'nps', value: 6, at: '2026-01-20T00:00:00Z' },
  ]);
  await record(b.client, [{ metricKey: 'signups', value: 1000, at: '2026-01-15T00:00:00Z' }]);
});
afterAll(() => t.close());

describe('createGoal and progress', () => {
  it('measures a past goal over its whole period', async () => {
    const goal = await createGoal(a, { name: '  January signups ', description: 'Launch month', target: 100 });
    expect(goal).toMatchObject({ name: 'January signups', description: 'Launch month', metricKey: 'signups', target: 100, ...JANUARY });
    expect(goal.progress).toEqual({ goalId: goal.id, current: 75, target: 100, ratio: 0.75, elapsed: 1, onTrack: false });
    const reached = await createGoal(a, { target: 75 });
    expect(reached.progress).toMatchObject({ current: 75, ratio: 1, onTrack: true });
  });

  it('measures a running goal up to now against the share of time elapsed', async () => {
    const now = Date.now();
    const goal = await createGoal(a, {
      target: 20,
      startsAt: new Date(now - 5 * DAY).toISOString(),
      endsAt: new Date(now + 5 * DAY).toISOString(),
    });
    expect(goal.progress).toMatchObject({ current: 12, target: 20, ratio: 0.6, onTrack: true });
    expect(goal.progress.elapsed).toBeCloseTo(0.5, 2);
    const behind = await createGoal(a, { target: 30, startsAt: goal.startsAt, endsAt: goal.endsAt });
    expect(behind.progress).toMatchObject({ current: 12, ratio: 0.4, onTrack: false });
  });

  it('has zero progress before a goal starts', async () => {
    const goal = await createGoal(a, { startsAt: new Date(Date.now() + 10 * DAY).toISOString(), endsAt: new Date(Date.now() + 20 * DAY).toISOString() });
    expect(goal.progress).toEqual({ goalId: goal.id, current: 0, target: 100, ratio: 0, elapsed: 0, onTrack: true });
  });

  it('uses the metric’s own aggregation, built-in metrics included', async () => {
    const nps = await createGoal(a, { metricKey: 'nps', target: 10 });
    expect(nps.progress).toMatchObject({ current: 7, ratio: 0.7 });
    const community = await createCommunity(a.client);
    await createRelationship(a.client, community);
    await createRelationship(a.client, community);
    const rels = await createGoal(a, {
      metricKey: 'relationships',
      target: 4,
      startsAt: new Date(Date.now() - DAY).toISOString(),
      endsAt: new Date(Date.now() + DAY).toISOString(),
    });
    expect(rels.progress).toMatchObject({ current: 2, ratio: 0.5 });
    const empty = await createGoal(a, { metricKey: 'avg_sentiment', target: 0.5 });
    expect(empty.progress).toMatchObject({ current: null, ratio: null, onTrack: false });
  });

  it('publishes goalChanged after commit', async () => {
    const events: GoalChangedEvent[] = [];
    const stop = t.server.app.pubsub.subscribe(a.organizationId, GOAL_CHANGED, (p) => events.push(p as GoalChangedEvent));
    const goal = await createGoal(a, { name: 'Evented' });
    await a.client.data(UPDATE, { id: goal.id, input: { target: 5 } });
    await a.client.data(DELETE, { id: goal.id });
    await a.client.request(CREATE, { input: { name: '', metricKey: 'signups', target: 1, ...JANUARY } });
    await new Promise((r) => setTimeout(r, 50));
    stop();
    expect(events).toEqual([
      { goalId: goal.id, deleted: false },
      { goalId: goal.id, deleted: false },
      { goalId: goal.id, deleted: true },
    ]);
  });

  it.each([
    ['an empty name', { name: '  ' }, 'name'],
    ['a 201-character name', { name: 'x'.repeat(201) }, 'name'],
    ['an unknown metric', { metricKey: 'no_such_metric' }, 'metricKey'],
    ['an empty period', { endsAt: JANUARY.startsAt }, 'endsAt'],
    ['an end before the start', { endsAt: '2025-12-01T00:00:00Z' }, 'endsAt'],
    ['a 2,001-character description', { description: 'd'.repeat(2001) }, 'description'],
    ['a name holding U+0000', { name: 'a\u0000b' }, 'name'],
  ])('rejects %s naming the field, writing nothing', async (_what, bad, field) => {
    const before = await goalCount(a.organizationId);
    const e = await a.client.error(CREATE, { input: { name: 'Goal', metricKey: 'signups', target: 1, ...JANUARY, ...bad } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(e.message).toContain(field);
    expect(await goalCount(a.organizationId)).toBe(before);
  });

  it('needs the WRITE scope', async () => {
    const ingest = await apiKey(a, ['READ', 'INGEST']);
    const e = await t.client(ingest.secret).error(CREATE, { input: { name: 'Goal', metricKey: 'signups', target: 1, ...JANUARY } });
    expect(e.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('updateGoal and deleteGoal', () => {
  it('changes only the fields given and recomputes progress', async () => {
    const goal = await createGoal(a, { name: 'Before', description: 'kept' });
    const { updateGoal } = await a.client.data(UPDATE, { id: goal.id, input: { name: 'After', target: 150 } });
    expect(updateGoal).toMatchObject({ id: goal.id, name: 'After', description: 'kept', target: 150, ...JANUARY });
    expect(updateGoal.progress).toMatchObject({ current: 75, ratio: 0.5 });
    expect(Date.parse(updateGoal.updatedAt)).toBeGreaterThan(Date.parse(goal.updatedAt));
    const cleared = await a.client.data(UPDATE, { id: goal.id, input: { description: null, metricKey: 'nps' } });
    expect(cleared.updateGoal).toMatchObject({ description: null, metricKey: 'nps', progress: { current: 7 } });
  });

  it.each([
    [{ endsAt: '2025-06-01T00:00:00Z' }, 'endsAt'],
    [{ startsAt: '2026-03-01T00:00:00Z' }, 'endsAt'],
    [{ metricKey: 'nope' }, 'metricKey'],
    [{ name: '' }, 'name'],
  ])('rejects %o naming %s and changes nothing', async (bad, field) => {
    const goal = await createGoal(a, { name: 'Stable' });
    const e = await a.client.error(UPDATE, { id: goal.id, input: bad });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const { goal: after } = await a.client.data(GOAL, { id: goal.id });
    expect(after).toEqual(goal);
  });

  it('deletes a goal once', async () => {
    const goal = await createGoal(a, { name: 'Doomed' });
    expect(await a.client.data(DELETE, { id: goal.id })).toEqual({ deleteGoal: true });
    expect(await a.client.data(GOAL, { id: goal.id })).toEqual({ goal: null });
    const again = await a.client.error(DELETE, { id: goal.id });
    expect(again.extensions?.code).toBe('NOT_FOUND');
  });

  it('answers unknown and malformed ids with null and NOT_FOUND', async () => {
    expect(await a.client.data(GOAL, { id: UNKNOWN_ID })).toEqual({ goal: null });
    expect(await a.client.data(GOAL, { id: 'nope' })).toEqual({ goal: null });
    for (const id of [UNKNOWN_ID, 'nope']) {
      expect((await a.client.error(UPDATE, { id, input: { name: 'x' } })).extensions?.code).toBe('NOT_FOUND');
      expect((await a.client.error(DELETE, { id })).extensions?.code).toBe('NOT_FOUND');
    }
  });
});

describe('goals connection', () => {
  it('pages in creation order with totalCount, progress batched across the page', async () => {
    const fresh = await signUp(t, 'Goals paging');
    await defineMetric(fresh.client, 'signups', 'SUM');
    await defineMetric(fresh.client, 'mood', 'LAST');
    await record(fresh.client, [
      { metricKey: 'signups', value: 3, at: '2026-01-05T00:00:00Z' },
      { metricKey: 'signups', value: 4, at: '2026-02-05T00:00:00Z' },
      { metricKey: 'mood', value: 1, at: '2026-01-05T00:00:00Z' },
      { metricKey: 'mood', value: 2, at: '2026-01-07T00:00:00Z' },
    ]);
    const ids: string[] = [];
    ids.push((await createGoal(fresh, { name: 'g1' })).id);
    ids.push((await createGoal(fresh, { name: 'g2', startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-03-01T00:00:00Z' })).id);
    ids.push((await createGoal(fresh, { name: 'g3', metricKey: 'mood', target: 4 })).id);
    ids.push((await createGoal(fresh, { name: 'g4', metricKey: 'relationships', target: 4 })).id);
    ids.push((await createGoal(fresh, { name: 'g5', startsAt: '2026-01-06T00:00:00Z' })).id);

    const first = (await fresh.client.data(GOALS, { first: 3 })).goals;
    expect(first.totalCount).toBe(5);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(ids.slice(0, 3));
    expect(first.edges.map((e: { node: { progress: { current: number } } }) => e.node.progress.current)).toEqual([3, 4, 2]);
    const rest = (await fresh.client.data(GOALS, { first: 3, after: first.pageInfo.endCursor })).goals;
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(rest.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(ids.slice(3));
    expect(rest.edges.map((e: { node: { progress: { current: number } } }) => e.node.progress.current)).toEqual([0, 0]);
  });

  it('issues as many SQL statements for a page of five goals as for one', async () => {
    const proto = Object.getPrototypeOf(t.ds.createQueryRunner()) as { query: (...args: unknown[]) => Promise<unknown> };
    const original = proto.query;
    let statements = 0;
    proto.query = function (this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
    try {
      const tenant = await signUp(t, 'Goals statements');
      await defineMetric(tenant.client, 'signups', 'SUM');
      await defineMetric(tenant.client, 'mood', 'AVG');
      await createGoal(tenant, { name: 'only' });
      const count = async (first: number) => {
        statements = 0;
        const { goals } = await tenant.client.data(GOALS, { first });
        return { statements, goals: goals.edges.length };
      };
      const one = await count(1);
      await createGoal(tenant, { name: 'mood', metricKey: 'mood' });
      await createGoal(tenant, { name: 'customers', metricKey: 'customers' });
      await createGoal(tenant, { name: 'feb', startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-03-01T00:00:00Z' });
      await createGoal(tenant, { name: 'convos', metricKey: 'conversations' });
      const five = await count(5);
      expect([one.goals, five.goals]).toEqual([1, 5]);
      expect(one.statements).toBeGreaterThan(2);
      expect(five.statements).toBe(one.statements);
    } finally {
      proto.query = original;
    }
  });

  it('rejects a page over 100 and a bad cursor', async () => {
    expect((await a.client.error(GOALS, { first: 101 })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await a.client.error(GOALS, { after: 'garbage' })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('goals across tenants', () => {
  it('answers tenant A’s goal to tenant B exactly as a goal that does not exist, changing nothing', async () => {
    const goal = await createGoal(a, { name: 'Private goal' });
    expect(await b.client.data(GOAL, { id: goal.id })).toEqual({ goal: null });
    const update = await b.client.error(UPDATE, { id: goal.id, input: { name: 'Hijacked' } });
    const updateUnknown = await b.client.error(UPDATE, { id: UNKNOWN_ID, input: { name: 'Hijacked' } });
    expect(update.extensions?.code).toBe('NOT_FOUND');
    expect(update.message.replace(goal.id, 'X')).toBe(updateUnknown.message.replace(UNKNOWN_ID, 'X'));
    expect((await b.client.error(DELETE, { id: goal.id })).extensions?.code).toBe('NOT_FOUND');
    expect((await a.client.data(GOAL, { id: goal.id })).goal).toEqual(goal);
    const { goals } = await b.client.data(GOALS, { first: 100 });
    expect(goals.totalCount).toBe(0);
  });

  it('measures a goal over its own tenant’s points only', async () => {
    const goal = (await b.client.data(CREATE, { input: { name: 'B', metricKey: 'signups', target: 2000, ...JANUARY } })).createGoal;
    expect(goal.progress).toMatchObject({ current: 1000, ratio: 0.5 });
    const nps = await b.client.error(CREATE, { input: { name: 'B', metricKey: 'nps', target: 1, ...JANUARY } });
    expect(nps.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metricKey' });
  });
});
