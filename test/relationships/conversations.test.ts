import { relationshipStrength } from '../../src/modules/relationships/strength';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity, createRelationship, logConversation } from './graph-builders';

let t: TestServer;
let acme: Tenant;
let community: string;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  community = await createCommunity(acme.client);
});
afterAll(() => t.close());

const LOG = `mutation ($input: LogConversationInput!) {
  logConversation(input: $input) { id relationshipId occurredAt channel summary sentiment qualified createdAt relationship { id } }
}`;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

async function count(): Promise<number> {
  const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM conversations`);
  return row.n;
}

describe('conversations', () => {
  it('logs a conversation and lists it under its relationship', async () => {
    const rel = await createRelationship(acme.client, community);
    const occurredAt = ago(3);
    const data = await acme.client.data(LOG, {
      input: { relationshipId: rel, occurredAt, channel: ' dm ', summary: 'Talked about the launch', sentiment: 0.5, qualified: true },
    });
    expect(data.logConversation).toMatchObject({
      relationshipId: rel,
      occurredAt,
      channel: 'dm',
      summary: 'Talked about the launch',
      sentiment: 0.5,
      qualified: true,
      relationship: { id: rel },
    });
    const second = await logConversation(acme.client, rel);
    const read = await acme.client.data(
      `query ($id: ID!) { relationship(id: $id) { conversations(first: 1) { totalCount pageInfo { hasNextPage } edges { node { id sentiment qualified } } } } }`,
      { id: rel },
    );
    expect(read.relationship.conversations).toEqual({
      totalCount: 2,
      pageInfo: { hasNextPage: true },
      edges: [{ node: { id: data.logConversation.id, sentiment: 0.5, qualified: true } }],
    });
    expect(second).toBeTruthy();
  });

  it('accepts conversations of relationships in archived communities', async () => {
    const c = await createCommunity(acme.client);
    const rel = await createRelationship(acme.client, c);
    await acme.client.data(`mutation ($id: ID!) { archiveCommunity(id: $id) { id } }`, { id: c });
    await expect(logConversation(acme.client, rel)).resolves.toBeTruthy();
  });

  it.each([
    [{ sentiment: -2 }, 'sentiment'],
    [{ sentiment: 1.01 }, 'sentiment'],
    [{ channel: 'c'.repeat(101) }, 'channel'],
    [{ summary: 's'.repeat(10_001) }, 'summary'],
    [{ occurredAt: new Date(Date.now() + DAY).toISOString() }, 'occurredAt'],
  ])('rejects %o naming the field and writes nothing', async (bad, field) => {
    const rel = await createRelationship(acme.client, community);
    const before = await count();
    const e = await acme.client.error(LOG, { input: { relationshipId: rel, occurredAt: ago(1), ...bad } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(e.message).toContain(field);
    expect(await count()).toBe(before);
  });

  it('rejects an occurredAt that is not a date-time', async () => {
    const rel = await createRelationship(acme.client, community);
    const e = await acme.client.error(LOG, { input: { relationshipId: rel, occurredAt: 'yesterday' } });
    expect(e.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('strength', () => {
  it('is 0 without conversations and follows the documented formula with them', async () => {
    const rel = await createRelationship(acme.client, community);
    const STRENGTH = `query ($id: ID!) { relationship(id: $id) { strength } }`;
    expect((await acme.client.data(STRENGTH, { id: rel })).relationship.strength).toBe(0);

    const conversations = [
      { occurredAt: ago(10), qualified: true, sentiment: 0.5 },
      { occurredAt: ago(100), qualified: false, sentiment: -0.5 },
      { occurredAt: ago(400), qualified: true, sentiment: null },
      { occurredAt: ago(0.01), qualified: false, sentiment: 1 },
    ];
    for (const c of conversations) await logConversation(acme.client, rel, c);
    const strength = (await acme.client.data(STRENGTH, { id: rel })).relationship.strength;
    const expected = relationshipStrength(
      conversations.map((c) => ({ ...c, occurredAt: new Date(c.occurredAt) })),
      new Date(),
    );
    expect(strength).toBeCloseTo(expected, 5);
    expect(strength).toBeGreaterThan(0);
    expect(strength).toBeLessThan(1);
  });

  it('ranks a relationship with recent qualified warm conversations above one with old cold ones', async () => {
    const warm = await createRelationship(acme.client, community, { name: 'Warm' });
    const cold = await createRelationship(acme.client, community, { name: 'Cold' });
    for (let i = 0; i < 3; i++) {
      await logConversation(acme.client, warm, { occurredAt: ago(i), qualified: true, sentiment: 0.8 });
      await logConversation(acme.client, cold, { occurredAt: ago(700 + i), qualified: false, sentiment: -1 });
    }
    const data = await acme.client.data(`query ($a: ID!, $b: ID!) { a: relationship(id: $a) { strength } b: relationship(id: $b) { strength } }`, {
      a: warm,
      b: cold,
    });
    expect(data.a.strength).toBeGreaterThan(0.8);
    // 3 * 0.9^23 = 0.27 raw: 0.05
    expect(data.b.strength).toBeLessThan(0.06);
  });
});
