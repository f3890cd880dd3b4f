import type { QueryRunner } from 'typeorm';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Statements the node sends on its own now and then (its session revocation list), not for a request. */
const BACKGROUND = /\bFROM sessions\b/;

/** Records the SQL of every statement any QueryRunner of the server's DataSource sends while `fn` runs. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const probe = t.ds.createQueryRunner();
  const proto = Object.getPrototypeOf(probe) as QueryRunner;
  await probe.release();
  const original = proto.query;
  const seen: string[] = [];
  proto.query = function (this: QueryRunner, sql: string, ...rest: unknown[]) {
    if (!BACKGROUND.test(sql)) seen.push(sql);
    return (original as (...a: unknown[]) => Promise<unknown>).call(this, sql, ...rest);
  } as QueryRunner['query'];
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return seen;
}

/** A tenant with `communities` communities of `relationships` relationships of `conversations` conversations, written in SQL. */
async function tenantWith(communities: number, relationships: number, conversations: number): Promise<Tenant> {
  const tenant = await signUp(t, `Graph ${communities}`);
  await t.ds.query(
    `WITH c AS (
       INSERT INTO communities (organization_id, name, platform, created_at)
       SELECT $1, 'c' || i, 'forum', now() - interval '1 day' + i * interval '1 second' FROM generate_series(1, $2) i RETURNING id
     ), r AS (
       INSERT INTO relationships (organization_id, community_id, name, qualified, owner_id)
       SELECT $1, c.id, 'r' || j, j % 2 = 0, $5 FROM c, generate_series(1, $3) j RETURNING id, stage
     ), s AS (
       INSERT INTO relationship_stage_changes (organization_id, relationship_id, to_stage) SELECT $1, id, stage FROM r
     )
     INSERT INTO conversations (organization_id, relationship_id, occurred_at, sentiment)
     SELECT $1, r.id, now() - k * interval '1 day', 0.5 FROM r, generate_series(1, $4) k`,
    [tenant.organizationId, communities, relationships, conversations, tenant.userId],
  );
  return tenant;
}

const NESTED = `{
  communities(first: 50) {
    totalCount
    edges { node {
      id name relationshipCount qualifiedRelationshipCount
      relationships(first: 20) {
        totalCount
        edges { node {
          id name strength owner { id } community { id } stageChanges { toStage }
          conversations(first: 5) { totalCount edges { node { id occurredAt relationship { id } } } }
        } }
      }
    } }
  }
}`;

const DOMAIN = /\b(communities|relationships|relationship_stage_changes|conversations|users)\b/;
/** Authentication reads the caller's membership (and email) before the request runs. */
const AUTHENTICATION = /\bFROM memberships m JOIN users u\b/;

describe('a nested read', () => {
  it('costs the same number of statements for 2 or 10 communities, a bounded number per level', async () => {
    const small = await tenantWith(2, 2, 2);
    const large = await tenantWith(10, 6, 4);
    let smallData: any;
    let largeData: any;
    const smallSql = await statementsOf(async () => (smallData = await small.client.data(NESTED)));
    const largeSql = await statementsOf(async () => (largeData = await large.client.data(NESTED)));

    expect(smallData.communities.edges).toHaveLength(2);
    expect(largeData.communities.edges).toHaveLength(10);
    const rel = largeData.communities.edges[9].node.relationships;
    expect(rel.totalCount).toBe(6);
    expect(rel.edges[5].node.conversations.edges).toHaveLength(4);
    expect(rel.edges[5].node.owner.id).toBe(large.userId);
    expect(rel.edges[5].node.strength).toBeGreaterThan(0);

    expect(largeSql.length).toBe(smallSql.length);
    const domain = largeSql.filter((sql) => DOMAIN.test(sql) && !AUTHENTICATION.test(sql));
    const touching = (table: RegExp) => domain.filter((sql) => table.test(sql)).length;
    // Per level a page and its count; relationshipCount and strength are one grouped statement each;
    // community { id } comes from the (whole) community rows already read, conversation.relationship
    // is one by-id statement because nested pages read only the selected columns.
    expect(touching(/FROM communities/)).toBe(2);
    expect(touching(/FROM relationships/)).toBe(4);
    expect(touching(/FROM conversations/)).toBe(3);
    expect(touching(/FROM relationship_stage_changes/)).toBe(1);
    expect(touching(/FROM users/)).toBe(1);
    expect(domain.length).toBe(11);
    // Plus at most a handful for authentication and the transaction.
    expect(largeSql.length - domain.length).toBeLessThanOrEqual(6);
  });
});

describe('nested pages that read only the selected columns', () => {
  it('give the same values as whole rows read at the top level', async () => {
    const tenant = await tenantWith(3, 4, 3);
    const SCALARS = `id communityId name handle company stage qualified createdAt updatedAt`;
    const CONV = `id relationshipId occurredAt channel summary sentiment qualified createdAt`;
    const nested = await tenant.client.data(`{ communities { edges { node {
      relationships { edges { node { ${SCALARS} conversations { edges { node { ${CONV} } } } } } }
      few: relationships(first: 2) { edges { node { name } } }
    } } } }`);
    const top = await tenant.client.data(`{ relationships(first: 100) { edges { node { ${SCALARS} conversations { edges { node { ${CONV} } } } } } } }`);
    const fromNested = nested.communities.edges.flatMap((c: any) => c.node.relationships.edges.map((e: any) => e.node));
    expect(fromNested).toHaveLength(12);
    expect(fromNested).toEqual(top.relationships.edges.map((e: any) => e.node));
    expect(nested.communities.edges[0].node.few.edges).toEqual(nested.communities.edges[0].node.relationships.edges.slice(0, 2).map((e: any) => ({ node: { name: e.node.name } })));
    const [row] = await t.ds.query(`SELECT created_at FROM relationships WHERE id = $1`, [fromNested[0].id]);
    expect(fromNested[0].createdAt).toBe(new Date(row.created_at).toISOString());
  });
});

describe('strength of a page of relationships', () => {
  it('costs one grouped statement for 100 relationships', async () => {
    const tenant = await tenantWith(1, 100, 2);
    let data: any;
    const sql = await statementsOf(async () => (data = await tenant.client.data(`{ relationships(first: 100) { edges { node { id strength } } } }`)));
    expect(data.relationships.edges).toHaveLength(100);
    expect(data.relationships.edges.every((e: any) => e.node.strength > 0)).toBe(true);
    expect(sql.filter((s) => /FROM conversations/.test(s))).toHaveLength(1);
  });
});
