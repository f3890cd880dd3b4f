import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity, createRelationship, logConversation, UNKNOWN_ID } from './graph-builders';

let t: TestServer;
let acme: Tenant;
let community: string;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  community = await createCommunity(acme.client);
});
afterAll(() => t.close());

const FIELDS = `id communityId name handle company stage qualified createdAt updatedAt
  owner { id email } community { id } stageChanges { fromStage toStage changedAt }`;
const CREATE = `mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateRelationshipInput!) { updateRelationship(id: $id, input: $input) { ${FIELDS} } }`;
const ONE = `query ($id: ID!) { relationship(id: $id) { ${FIELDS} } }`;
const LIST = `query ($filter: RelationshipFilter) { relationships(first: 100, filter: $filter) { totalCount edges { node { id name } } } }`;

async function count(table: string): Promise<number> {
  const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

describe('relationships', () => {
  it('creates a relationship owned by the member, recording its first stage as a change from null', async () => {
    const data = await acme.client.data(CREATE, { input: { communityId: community, name: ' Grace Hopper ', handle: '@grace', company: 'Navy' } });
    const r = data.createRelationship;
    expect(r).toMatchObject({
      communityId: community,
      name: 'Grace Hopper',
      handle: '@grace',
      company: 'Navy',
      stage: 'CONNECTED',
      qualified: false,
      owner: { id: acme.userId, email: acme.email },
      community: { id: community },
    });
    expect(r.stageChanges).toEqual([{ fromStage: null, toStage: 'CONNECTED', changedAt: r.createdAt }]);
    expect(r.updatedAt).toBe(r.createdAt);
    const [row] = await t.ds.query(`SELECT created_at = updated_at AS same FROM relationships WHERE id = $1`, [r.id]);
    expect(row.same).toBe(true);
  });

  it('has no owner when an API key created it', async () => {
    const key = await apiKey(acme, ['INGEST']);
    const data = await t.client(key.secret).data(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id stage } }`, {
      input: { communityId: community, name: 'Partner-made', stage: 'LEAD' },
    });
    expect(data.createRelationship.stage).toBe('LEAD');
    const read = await acme.client.data(ONE, { id: data.createRelationship.id });
    expect(read.relationship.owner).toBeNull();
    expect(read.relationship.stageChanges.map((s: any) => [s.fromStage, s.toStage])).toEqual([[null, 'LEAD']]);
  });

  it('keeps an INGEST-only key from reading other relationships through a mutation’s result', async () => {
    const key = await apiKey(acme, ['INGEST']);
    const res = await t.client(key.secret).request(
      `mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id community { relationships { totalCount } } } }`,
      { input: { communityId: community, name: 'Nosy' } },
    );
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('records every stage change in order, and none when the stage stays', async () => {
    const id = await createRelationship(acme.client, community);
    await acme.client.data(UPDATE, { id, input: { stage: 'ENGAGED' } });
    await acme.client.data(UPDATE, { id, input: { company: 'Analytical Engines', stage: 'ENGAGED' } });
    await acme.client.data(UPDATE, { id, input: { qualified: true } });
    // Two changes in one operation (one transaction) keep their order.
    await acme.client.data(
      `mutation ($id: ID!) {
        a: updateRelationship(id: $id, input: { stage: OPPORTUNITY }) { id }
        b: updateRelationship(id: $id, input: { stage: LEAD }) { id }
      }`,
      { id },
    );
    const { relationship } = await acme.client.data(ONE, { id });
    expect(relationship).toMatchObject({ stage: 'LEAD', qualified: true, company: 'Analytical Engines' });
    expect(relationship.stageChanges.map((s: any) => [s.fromStage, s.toStage])).toEqual([
      [null, 'CONNECTED'],
      ['CONNECTED', 'ENGAGED'],
      ['ENGAGED', 'OPPORTUNITY'],
      ['OPPORTUNITY', 'LEAD'],
    ]);
    const times = relationship.stageChanges.map((s: any) => new Date(s.changedAt).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('updates only the given fields; null clears handle and company', async () => {
    const id = await createRelationship(acme.client, community, { handle: '@h', company: 'C', qualified: true });
    const data = await acme.client.data(UPDATE, { id, input: { handle: null, company: null } });
    expect(data.updateRelationship).toMatchObject({ name: 'Ada Lovelace', handle: null, company: null, qualified: true, stage: 'CONNECTED' });
  });

  it('filters by community, stage, qualified and a case-insensitive search of name, handle and company', async () => {
    const org = await signUp(t, 'Search');
    const c1 = await createCommunity(org.client);
    const c2 = await createCommunity(org.client);
    const a = await createRelationship(org.client, c1, { name: 'Alan Turing', handle: '@enigma', stage: 'LEAD', qualified: true });
    const b = await createRelationship(org.client, c1, { name: 'Barbara Liskov', company: 'MIT' });
    const c = await createRelationship(org.client, c2, { name: 'Claude Shannon', company: 'Bell Labs 100%', stage: 'LEAD' });
    const ids = async (filter: unknown) => {
      const data = await org.client.data(LIST, { filter });
      expect(data.relationships.totalCount).toBe(data.relationships.edges.length);
      return data.relationships.edges.map((e: any) => e.node.id);
    };
    expect(await ids(null)).toEqual([a, b, c]);
    expect(await ids({ communityId: c1 })).toEqual([a, b]);
    expect(await ids({ stage: 'LEAD' })).toEqual([a, c]);
    expect(await ids({ stage: 'LEAD', communityId: c1 })).toEqual([a]);
    expect(await ids({ qualified: false })).toEqual([b, c]);
    expect(await ids({ search: 'TURING' })).toEqual([a]);
    expect(await ids({ search: 'nigm' })).toEqual([a]);
    expect(await ids({ search: 'mit' })).toEqual([b]);
    expect(await ids({ search: '%' })).toEqual([c]);
    expect(await ids({ search: 'l' })).toEqual([a, b, c]);
    expect(await ids({ search: '   ' })).toEqual([a, b, c]);
    expect(await ids({ communityId: 'nope' })).toEqual([]);
    const nested = await org.client.data(`query ($id: ID!) { community(id: $id) { relationships(filter: { search: "liskov" }) { totalCount edges { node { id } } } } }`, { id: c1 });
    expect(nested.community.relationships).toEqual({ totalCount: 1, edges: [{ node: { id: b } }] });
  });
});

describe('bad relationship input', () => {
  it.each([
    [{ name: '' }, 'name'],
    [{ name: '  ' }, 'name'],
    [{ handle: 'h'.repeat(201) }, 'handle'],
    [{ company: 'c'.repeat(201) }, 'company'],
  ])('rejects %o naming the field and writes nothing', async (bad, field) => {
    const before = await count('relationships');
    const e = await acme.client.error(CREATE, { input: { communityId: community, name: 'N', ...bad } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(e.message).toContain(field);
    expect(await count('relationships')).toBe(before);
  });

  it('rejects a stage that is not a RelationshipStage, as a variable or a literal, and changes nothing', async () => {
    const before = await count('relationships');
    const e = await acme.client.error(CREATE, { input: { communityId: community, name: 'N', stage: 'WON' } });
    expect(e.extensions?.code).toBe('BAD_USER_INPUT');
    expect(e.message).toContain('stage');
    const id = await createRelationship(acme.client, community);
    // A literal is part of the document: it does not validate, so nothing runs (Apollo's code).
    const lit = await acme.client.error(`mutation { updateRelationship(id: "${id}", input: { stage: WON }) { id } }`);
    expect(lit.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const str = await acme.client.error(`mutation { updateRelationship(id: "${id}", input: { stage: "LEAD" }) { id } }`);
    expect(str.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await count('relationships')).toBe(before + 1);
    expect((await acme.client.data(ONE, { id })).relationship.stageChanges).toHaveLength(1);
  });

  it('rejects null for a required field on update', async () => {
    const id = await createRelationship(acme.client, community);
    for (const field of ['name', 'stage', 'qualified']) {
      const e = await acme.client.error(UPDATE, { id, input: { [field]: null } });
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('answers NOT_FOUND for an unknown community or relationship id', async () => {
    const e = await acme.client.error(CREATE, { input: { communityId: UNKNOWN_ID, name: 'N' } });
    expect(e.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const u = await acme.client.error(UPDATE, { id: UNKNOWN_ID, input: { name: 'N' } });
    expect(u.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('relationships across tenants', () => {
  it('treats another tenant’s relationship and community ids exactly like unknown ids and changes nothing', async () => {
    const other = await signUp(t, 'Other');
    const id = await createRelationship(acme.client, community, { stage: 'ENGAGED' });
    await logConversation(acme.client, id);
    const snapshot = async () => ({
      rel: await t.ds.query(`SELECT * FROM relationships WHERE id = $1`, [id]),
      changes: await t.ds.query(`SELECT * FROM relationship_stage_changes WHERE relationship_id = $1 ORDER BY changed_at`, [id]),
      conversations: await t.ds.query(`SELECT * FROM conversations WHERE relationship_id = $1`, [id]),
    });
    const before = await snapshot();

    for (const probe of [id, UNKNOWN_ID, 'not-a-uuid']) {
      expect((await other.client.data(ONE, { id: probe })).relationship).toBeNull();
      const u = await other.client.error(UPDATE, { id: probe, input: { stage: 'CUSTOMER', name: 'Stolen' } });
      expect(u.extensions?.code).toBe('NOT_FOUND');
      expect(u.message).toBe(`Relationship '${probe}' not found`);
      const c = await other.client.error(`mutation ($input: LogConversationInput!) { logConversation(input: $input) { id } }`, {
        input: { relationshipId: probe, occurredAt: new Date().toISOString() },
      });
      expect(c.extensions?.code).toBe('NOT_FOUND');
      expect(c.message).toBe(`Relationship '${probe}' not found`);
    }
    for (const probe of [community, UNKNOWN_ID]) {
      expect((await other.client.data(LIST, { filter: { communityId: probe } })).relationships).toEqual({ totalCount: 0, edges: [] });
    }
    expect((await other.client.data(LIST)).relationships).toEqual({ totalCount: 0, edges: [] });
    expect(await snapshot()).toEqual(before);
  });
});
