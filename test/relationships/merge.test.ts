import { LiveClient, openSubscriptions, waitUntil } from '../live/support/live';
import { series } from '../metrics/metric-builders';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity, createRelationship, logConversation, UNKNOWN_ID } from './graph-builders';

let t: TestServer;
let a: Tenant;
let b: Tenant;
const clients: LiveClient[] = [];
const communities: Record<string, string> = {};
let ada: { linkedin: string; x: string; slack: string };
let other: string;
let foreign: string;

const MERGE = `mutation ($t: ID!, $s: [ID!]!) {
  mergeRelationships(targetId: $t, sourceIds: $s) {
    id name connectedAt stage qualified externalId community { name } identities { platform handle }
    stageChanges { toStage changedAt } conversations { totalCount }
  }
}`;
const ADD = `mutation ($r: ID!, $i: RelationshipIdentityInput!) { addRelationshipIdentity(relationshipId: $r, input: $i) { id identities { platform handle } } }`;
const DUPLICATES = `query ($first: Int) { relationshipDuplicates(first: $first) { reason score relationships { name } } }`;
const WINDOW = { from: '2024-11-01T00:00:00Z', to: '2025-08-01T00:00:00Z', interval: 'MONTH' };
const MONTHS = ['2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07'];

/** Counts of tables a merge writes, as the owner sees them. */
async function counts(): Promise<Record<string, number>> {
  const [row] = await t.ds.query(`SELECT (SELECT count(*) FROM relationships)::int AS r, (SELECT count(*) FROM relationship_identities)::int AS i,
    (SELECT count(*) FROM relationship_stage_changes)::int AS s, (SELECT count(DISTINCT relationship_id) FROM conversations)::int AS c`);
  return row;
}

/** A month series of a built-in metric as { 'YYYY-MM': value } without the empty months. */
async function monthly(key: string): Promise<Record<string, number>> {
  const buckets = await series(a.client, { metricKey: key, ...WINDOW });
  expect(buckets.map((x) => x.start.slice(0, 7))).toEqual(MONTHS);
  return Object.fromEntries(buckets.filter((x) => x.value).map((x) => [x.start.slice(0, 7), x.value!]));
}

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Merge A');
  b = await signUp(t, 'Merge B');
  for (const platform of ['linkedin', 'x', 'slack']) communities[platform] = await createCommunity(a.client, { name: platform, platform });
  // One person on three channels.
  ada = {
    linkedin: await createRelationship(a.client, communities.linkedin, {
      name: 'Ada Lovelace',
      handle: 'ada',
      connectedAt: '2025-01-10T10:00:00Z',
      stageHistory: [{ stage: 'LEAD', at: '2025-03-01T10:00:00Z' }],
    }),
    x: await createRelationship(a.client, communities.x, {
      name: 'Ada L.',
      handle: 'ada_x',
      qualified: true,
      externalId: 'crm-ada',
      connectedAt: '2024-11-05T10:00:00Z',
      stageHistory: [
        { stage: 'ENGAGED', at: '2024-12-01T10:00:00Z' },
        { stage: 'CUSTOMER', at: '2025-06-01T10:00:00Z' },
      ],
    }),
    slack: await createRelationship(a.client, communities.slack, {
      name: 'ada',
      handle: 'ada.l',
      connectedAt: '2025-02-01T10:00:00Z',
      stageHistory: [{ stage: 'OPPORTUNITY', at: '2025-02-15T10:00:00Z' }],
    }),
  };
  other = await createRelationship(a.client, communities.linkedin, {
    name: 'Grace Hopper',
    handle: 'grace',
    connectedAt: '2025-01-20T10:00:00Z',
    stageHistory: [{ stage: 'LEAD', at: '2025-04-01T10:00:00Z' }],
  });
  await logConversation(a.client, ada.linkedin, { occurredAt: '2025-02-03T10:00:00Z', qualified: true });
  await logConversation(a.client, ada.linkedin, { occurredAt: '2025-03-03T10:00:00Z' });
  await logConversation(a.client, ada.x, { occurredAt: '2025-01-03T10:00:00Z', sentiment: 1 });
  await logConversation(a.client, ada.slack, { occurredAt: '2025-02-20T10:00:00Z', qualified: true });
  foreign = await createRelationship(b.client, await createCommunity(b.client, { platform: 'x' }), { name: 'Ada Lovelace', handle: 'ada_x' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(() => t.close());

describe('identities', () => {
  it('lists the own handle first and adds others, once, case-insensitively', async () => {
    const added = await a.client.data(ADD, { r: other, i: { platform: 'GitHub', handle: 'ghopper' } });
    expect(added.addRelationshipIdentity.identities).toEqual([
      { platform: 'linkedin', handle: 'grace' },
      { platform: 'GitHub', handle: 'ghopper' },
    ]);
    const again = await a.client.data(ADD, { r: other, i: { platform: 'github', handle: 'GHopper' } });
    expect(again.addRelationshipIdentity.identities).toHaveLength(2);
    const own = await a.client.data(ADD, { r: other, i: { platform: 'LinkedIn', handle: 'GRACE' } });
    expect(own.addRelationshipIdentity.identities).toHaveLength(2);
  });

  it('refuses a handle another relationship holds, naming it, and writes nothing', async () => {
    const before = await counts();
    const e = await a.client.error(ADD, { r: other, i: { platform: 'X', handle: 'ADA_X' } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'handle', relationshipId: ada.x });
    const blank = await a.client.error(ADD, { r: other, i: { platform: ' ', handle: 'h' } });
    expect(blank.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'platform' });
    expect(await counts()).toEqual(before);
  });

  it('keeps tenants apart: another tenant’s relationship is unknown, and its handles are its own', async () => {
    const e = await a.client.error(ADD, { r: foreign, i: { platform: 'slack', handle: 'someone' } });
    const unknown = await a.client.error(ADD, { r: UNKNOWN_ID, i: { platform: 'slack', handle: 'someone' } });
    expect(e.extensions?.code).toBe('NOT_FOUND');
    expect(e.message.replace(foreign, 'ID')).toBe(unknown.message.replace(UNKNOWN_ID, 'ID'));
    const theirs = await b.client.data(ADD, { r: foreign, i: { platform: 'linkedin', handle: 'ada' } });
    expect(theirs.addRelationshipIdentity.identities).toEqual([
      { platform: 'x', handle: 'ada_x' },
      { platform: 'linkedin', handle: 'ada' },
    ]);
  });
});

describe('relationshipDuplicates', () => {
  it('groups by identity, externalId and similar names, best first, in the caller’s organization only', async () => {
    const c = await signUp(t, 'Duplicates C');
    const forum = await createCommunity(c.client, { platform: 'forum' });
    const chat = await createCommunity(c.client, { platform: 'FORUM' });
    await createRelationship(c.client, forum, { name: 'Alan Turing', handle: 'aturing' });
    await createRelationship(c.client, chat, { name: 'Turing, Alan', handle: 'ATuring' });
    await createRelationship(c.client, forum, { name: 'Barbara Liskov', externalId: 'CRM-7' });
    await createRelationship(c.client, forum, { name: 'Liskov B.', externalId: 'crm-7' });
    await createRelationship(c.client, forum, { name: 'Grace Hopper' });
    await createRelationship(c.client, forum, { name: 'Grace Hooper' });
    // Tenants A and B have x:ada_x too: never a group across tenants.
    await createRelationship(c.client, await createCommunity(c.client, { platform: 'x' }), { name: 'Linus Torvalds', handle: 'ada_x', externalId: 'crm-ada' });
    const { relationshipDuplicates } = await c.client.data(DUPLICATES, {});
    const names = (g: { relationships: Array<{ name: string }> }) => g.relationships.map((r) => r.name).sort();
    expect(relationshipDuplicates.map((g: { reason: string }) => g.reason)).toEqual(['SAME_IDENTITY', 'SAME_EXTERNAL_ID', 'SIMILAR_NAME']);
    expect(relationshipDuplicates.map(names)).toEqual([
      ['Alan Turing', 'Turing, Alan'],
      ['Barbara Liskov', 'Liskov B.'],
      ['Grace Hooper', 'Grace Hopper'],
    ]);
    expect(relationshipDuplicates[0].score).toBe(1);
    expect(relationshipDuplicates[1].score).toBe(0.95);
    expect(relationshipDuplicates[2].score).toBeGreaterThan(0.9 * 0.6);
    expect(relationshipDuplicates[2].score).toBeLessThan(0.9);
    expect((await c.client.data(DUPLICATES, { first: 1 })).relationshipDuplicates).toHaveLength(1);
    expect((await c.client.error(DUPLICATES, { first: 101 })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('finds the person on three channels before the merge', async () => {
    await a.client.data(ADD, { r: ada.slack, i: { platform: 'linkedin', handle: 'Ada.Lovelace' } });
    await a.client.data(ADD, { r: ada.linkedin, i: { platform: 'x', handle: 'ada_x2' } });
    const { relationshipDuplicates } = await a.client.data(DUPLICATES, {});
    // Similar names: "Ada Lovelace" and "ada" are not (similarity below 0.6); nothing shares a handle yet.
    expect(relationshipDuplicates.filter((g: { reason: string }) => g.reason === 'SAME_IDENTITY')).toEqual([]);
  });
});

describe('mergeRelationships', () => {
  const bad = (targetId: string, sourceIds: string[]) => a.client.error(MERGE, { t: targetId, s: sourceIds });

  it.each([
    ['itself', () => [ada.linkedin, [ada.x, ada.linkedin.toUpperCase()]], 'BAD_USER_INPUT'],
    ['no sources', () => [ada.linkedin, []], 'BAD_USER_INPUT'],
    ['a source twice', () => [ada.linkedin, [ada.x, ada.x]], 'BAD_USER_INPUT'],
    ['21 sources', () => [ada.linkedin, Array.from({ length: 21 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)], 'BAD_USER_INPUT'],
    ['an unknown source', () => [ada.linkedin, [ada.x, UNKNOWN_ID]], 'NOT_FOUND'],
    ['a malformed source', () => [ada.linkedin, [ada.x, 'nope']], 'NOT_FOUND'],
    ['an unknown target', () => [UNKNOWN_ID, [ada.x]], 'NOT_FOUND'],
    ['another tenant’s source', () => [ada.linkedin, [foreign]], 'NOT_FOUND'],
    ['another tenant’s target', () => [foreign, [ada.x]], 'NOT_FOUND'],
  ])('refuses merging with %s and writes nothing', async (_what, args, code) => {
    const [target, sources] = args() as [string, string[]];
    const before = await counts();
    const e = await bad(target, sources);
    expect(e.extensions?.code).toBe(code);
    expect(await counts()).toEqual(before);
  });

  it('answers another tenant’s id exactly as an unknown one', async () => {
    const theirs = await bad(ada.linkedin, [foreign]);
    const unknown = await bad(ada.linkedin, [UNKNOWN_ID]);
    expect(theirs.message.replace(foreign, 'ID')).toBe(unknown.message.replace(UNKNOWN_ID, 'ID'));
    expect(await b.client.data(`query ($id: ID!) { relationship(id: $id) { name } }`, { id: foreign })).toEqual({ relationship: { name: 'Ada Lovelace' } });
  });

  it('refuses a source whose handle a relationship outside the merge holds, naming it', async () => {
    const holder = await createRelationship(a.client, communities.x, { name: 'Someone', handle: 'someone' });
    const source = await createRelationship(a.client, communities.slack, { name: 'Someone else', handle: 'shared' });
    await t.ds.query(`INSERT INTO relationship_identities (organization_id, relationship_id, platform, handle) VALUES ($1, $2, 'slack', 'SHARED')`, [
      a.organizationId,
      holder,
    ]);
    const before = await counts();
    const e = await bad(other, [source]);
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', relationshipId: holder });
    expect(await counts()).toEqual(before);
    await t.ds.query(`DELETE FROM relationships WHERE id = ANY($1::uuid[])`, [[holder, source]]);
  });

  it('counts a person merged from three channels once everywhere, each stage at its earliest reach', async () => {
    const { goal } = await a.client.data(`mutation ($i: CreateGoalInput!) { goal: createGoal(input: $i) { id progress { current } } }`, {
      i: { name: 'People', metricKey: 'relationships', target: 10, startsAt: '2024-11-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' },
    });
    expect(goal.progress.current).toBe(4);
    expect(await monthly('relationships')).toEqual({ '2024-11': 1, '2025-01': 2, '2025-02': 1 });
    expect(await monthly('leads')).toEqual({ '2025-02': 1, '2025-03': 1, '2025-04': 1, '2025-06': 1 });

    const read = (await apiKey(a, ['READ'])).secret;
    const live = new LiveClient(t.url, read);
    clients.push(live);
    const updates = live.subscribe(`subscription { metricUpdated(metricKey: "relationships") { metricKey communityId at value } }`);
    const progress = live.subscribe(`subscription ($g: ID) { goalProgressUpdated(goalId: $g) { current } }`, { g: goal.id });
    expect((await progress.next(1))[0].goalProgressUpdated.current).toBe(4);
    await waitUntil(async () => (await openSubscriptions(t.server)) === 2, 'two subscriptions');

    const { mergeRelationships: merged } = await a.client.data(MERGE, { t: ada.linkedin, s: [ada.x, ada.slack.toUpperCase()] });
    expect(merged).toMatchObject({
      id: ada.linkedin,
      name: 'Ada Lovelace',
      connectedAt: '2024-11-05T10:00:00.000Z',
      stage: 'CUSTOMER',
      qualified: true,
      externalId: 'crm-ada',
      community: { name: 'linkedin' },
      conversations: { totalCount: 4 },
    });
    expect(merged.identities).toEqual(
      expect.arrayContaining([
        { platform: 'linkedin', handle: 'ada' },
        { platform: 'x', handle: 'ada_x' },
        { platform: 'slack', handle: 'ada.l' },
        { platform: 'linkedin', handle: 'Ada.Lovelace' },
        { platform: 'x', handle: 'ada_x2' },
      ]),
    );
    expect(merged.identities).toHaveLength(5);
    expect(merged.stageChanges).toHaveLength(2 + 3 + 2);

    // Live: what the merge took away and added, then the goal's new progress.
    const got = await updates.next(4);
    expect(got.map((u) => u.metricUpdated)).toEqual([
      { metricKey: 'relationships', communityId: communities.x, at: '2024-11-05T10:00:00.000Z', value: -1 },
      { metricKey: 'relationships', communityId: communities.linkedin, at: '2024-11-05T10:00:00.000Z', value: 1 },
      { metricKey: 'relationships', communityId: communities.linkedin, at: '2025-01-10T10:00:00.000Z', value: -1 },
      { metricKey: 'relationships', communityId: communities.slack, at: '2025-02-01T10:00:00.000Z', value: -1 },
    ]);
    expect((await progress.next(2))[1].goalProgressUpdated.current).toBe(2);

    // Everywhere: series, ROI, goals, lists, counts.
    expect(await monthly('relationships')).toEqual({ '2024-11': 1, '2025-01': 1 });
    expect(await monthly('qualified_relationships')).toEqual({ '2024-11': 1 });
    expect(await monthly('leads')).toEqual({ '2025-02': 1, '2025-04': 1 });
    expect(await monthly('opportunities')).toEqual({ '2025-02': 1 });
    expect(await monthly('customers')).toEqual({ '2025-06': 1 });
    expect(await monthly('conversations')).toEqual({ '2025-01': 1, '2025-02': 2, '2025-03': 1 });
    const { roi } = await a.client.data(`query ($from: DateTime!, $to: DateTime!) { roi(from: $from, to: $to) {
      return byCommunity { community { name } return } } }`, WINDOW);
    expect(roi.return).toBe(2 * 500 + 5000 + 20000);
    expect(roi.byCommunity).toEqual([{ community: { name: 'linkedin' }, return: 2 * 500 + 5000 + 20000 }]);
    const { g } = await a.client.data(`query ($id: ID!) { g: goal(id: $id) { progress { current } } }`, { id: goal.id });
    expect(g.progress.current).toBe(2);
    const lists = await a.client.data(`query ($x: ID!, $s: ID!) { relationships { totalCount } x: relationship(id: $x) { id } s: relationship(id: $s) { id }
      communities { edges { node { name relationships { totalCount } } } } }`, { x: ada.x, s: ada.slack });
    expect(lists).toMatchObject({ relationships: { totalCount: 2 }, x: null, s: null });
    const perCommunity = Object.fromEntries(lists.communities.edges.map((e: { node: { name: string; relationships: { totalCount: number } } }) => [e.node.name, e.node.relationships.totalCount]));
    expect(perCommunity).toEqual({ linkedin: 2, x: 0, slack: 0 });

    // The sources are gone: like unknown ids.
    const gone = await a.client.error(`mutation ($id: ID!) { updateRelationship(id: $id, input: {name: "Back"}) { id } }`, { id: ada.x });
    expect(gone.extensions?.code).toBe('NOT_FOUND');
    expect((await bad(ada.linkedin, [ada.x])).extensions?.code).toBe('NOT_FOUND');
  });
});
