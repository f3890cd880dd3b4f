import type { QueryRunner } from 'typeorm';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Records the SQL of every statement any QueryRunner of the server's DataSource sends while `fn` runs. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const probe = t.ds.createQueryRunner();
  const proto = Object.getPrototypeOf(probe) as QueryRunner;
  await probe.release();
  const original = proto.query;
  const seen: string[] = [];
  proto.query = function (this: QueryRunner, sql: string, ...rest: unknown[]) {
    seen.push(sql);
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

    if (process.env.SHOW_SQL) console.log(largeSql.map((s) => s.replace(/\s+/g, " ").slice(0, 140)).join("\n"));
    expect(largeSql.length).toBe(smallSql.length);
    const domain = largeSql.filter((sql) => DOMAIN.test(sql));
    const touching = (table: RegExp) => domain.filter((sql) => table.test(sql)).length;
    // Per level a page and its count; relationshipCount and strength are one grouped statement each;
    // community { id } and relationship { id } come from the rows already read.
    expect(touching(/FROM communities/)).toBe(2);
    expect(touching(/FROM relationships/)).toBe(3);
    expect(touching(/FROM conversations/)).toBe(3);
    expect(touching(/FROM relationship_stage_changes/)).toBe(1);
    expect(touching(/FROM users/)).toBe(1);
    expect(domain.length).toBe(10);
    // Plus at most a handful for authentication and the transaction.
    expect(largeSql.length - domain.length).toBeLessThanOrEqual(6);
  });
});
