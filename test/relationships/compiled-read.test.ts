import fc from 'fast-check';
import { Client } from 'pg';
import { statementsOf } from '../../bench/statement-counter';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { GraphQLClient } from '../support/graphql-client';
import { withFailingCompiledReads } from '../support/pg-faults';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** A tenant with `communities` x `relationships` x `conversations`, written in SQL, times with sub-millisecond parts. */
async function tenantWith(communities: number, relationships: number, conversations: number): Promise<Tenant> {
  const tenant = await signUp(t, `Compiled ${communities}`);
  await t.ds.query(
    `WITH c AS (
       INSERT INTO communities (organization_id, name, platform, url, alignment_score, tags, archived_at, created_at)
       SELECT $1, 'c' || i || ' "quoted" é', 'forum', CASE WHEN i % 2 = 0 THEN 'https://x.example/' || i END, CASE WHEN i % 2 = 1 THEN 0.1 * i END,
              ARRAY['t' || i, 'ü'], CASE WHEN i = 1 THEN timestamptz '1969-12-31 23:59:59.9995+00' END,
              now() - interval '1 day' + i * interval '1.0005 second' FROM generate_series(1, $2) i RETURNING id
     ), r AS (
       INSERT INTO relationships (organization_id, community_id, name, handle, qualified, stage)
       SELECT $1, c.id, 'r' || j, CASE WHEN j % 2 = 0 THEN '@h' || j END, j % 2 = 0, (ARRAY['CONNECTED', 'LEAD', 'CUSTOMER'])[1 + j % 3] FROM c, generate_series(1, $3) j RETURNING id, stage
     ), s AS (
       INSERT INTO relationship_stage_changes (organization_id, relationship_id, to_stage) SELECT $1, id, stage FROM r
     )
     INSERT INTO conversations (organization_id, relationship_id, occurred_at, sentiment, channel)
     SELECT $1, r.id, (ARRAY[timestamptz '0001-01-01 00:00:00.000501+00', timestamptz '9999-12-31 23:59:59.999999+00', now() - k * interval '1.0007 day'])[1 + k % 3],
            CASE WHEN k % 2 = 0 THEN -0.33 END, 'dm' FROM r, generate_series(1, $4) k`,
    [tenant.organizationId, communities, relationships, conversations],
  );
  return tenant;
}

const NODE_C = 'id name platform url qualified alignmentScore tags archivedAt createdAt updatedAt __typename';
const NODE_R = 'id communityId name handle company stage qualified connectedAt externalId createdAt updatedAt';
const NODE_V = 'id relationshipId occurredAt channel summary sentiment qualified createdAt';
const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }';

/** A wide nested read; `force` adds a directive, which the compiled read leaves to the resolvers. */
function wide(force: boolean, args = '(first: 3)'): string {
  const d = force ? ' @include(if: true)' : '';
  return `query ($n: Int) { __typename
    communities${args}${d} { __typename totalCount ${PAGE_INFO} edges { cursor __typename node { ${NODE_C}
      relationships(first: $n) { totalCount ${PAGE_INFO} edges { cursor node { ${NODE_R}
        conversations(first: 2) { totalCount ${PAGE_INFO} edges { cursor node { ${NODE_V} } } }
        none: conversations(first: 0) { totalCount ${PAGE_INFO} edges { cursor } }
      } } }
    } } }
    relationships(first: 2) { edges { node { name } } }
  }`;
}

describe('the compiled nested read', () => {
  it('answers exactly as the resolvers do, in one statement (the tenant binding in the same round trip) whatever the number of rows', async () => {
    const small = await tenantWith(2, 2, 2);
    const large = await tenantWith(6, 4, 4);
    for (const tenant of [small, large]) {
      let compiled: any;
      const sql = await statementsOf(t.ds, async () => (compiled = await tenant.client.data(wide(false), { n: 3 })));
      const viaResolvers = await statementsOf(t.ds, async () => expect(await tenant.client.data(wide(true), { n: 3 })).toEqual(compiled));
      // The membership is read once per node (MemberCache), on the tenant's first request.
      expect(sql.filter((q) => !/FROM memberships m JOIN users u/.test(q))).toHaveLength(1);
      expect(viaResolvers.length).toBeGreaterThan(3);
      const after = compiled.communities.pageInfo.endCursor;
      const next = await tenant.client.data(wide(false, `(first: 2, after: "${after}")`), { n: 1 });
      expect(next).toEqual(await tenant.client.data(wide(true, `(first: 2, after: "${after}")`), { n: 1 }));
      // Selections without edges (no aggregate) still answer one object per connection.
      const counts = `{ communities(first: 1) { totalCount pageInfo { hasNextPage } } relationships { totalCount pageInfo { hasPreviousPage } } }`;
      expect(await tenant.client.data(counts)).toEqual(await tenant.client.data(counts.replace('(first: 1)', '(first: 1) @include(if: true)')));
      expect((await tenant.client.data(`{ communities { totalCount } }`)).communities.totalCount).toBeGreaterThan(1);
    }
    const largeData = await large.client.data(wide(false), { n: 3 });
    expect(largeData.communities.totalCount).toBe(6);
    // The times at the edges (before 1970, the end of 9999) were compared above with the resolvers' answer.
    expect(largeData.communities.edges[0].node.archivedAt).not.toBeNull();
  });

  it('keeps the resolvers’ authorization and argument errors, and tenant isolation', async () => {
    const owner = await tenantWith(1, 1, 1);
    const other = await tenantWith(3, 1, 1);
    const read = `{ communities { totalCount edges { node { id relationships { edges { node { id } } } } } } }`;
    expect((await owner.client.data(read)).communities.totalCount).toBe(1);
    expect((await other.client.data(read)).communities.totalCount).toBe(3);
    const ingest = await apiKey(owner, ['INGEST']);
    expect((await new GraphQLClient(`${t.url}/graphql`, ingest.secret).error(read)).extensions?.code).toBe('FORBIDDEN');
    expect((await t.client().error(read)).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await owner.client.error(`{ communities(first: 101) { totalCount } }`)).extensions?.code).toBe('BAD_USER_INPUT');
    expect((await owner.client.error(`{ communities { edges { node { relationships(after: "nope") { totalCount } } } } }`)).extensions?.code).toBe('BAD_USER_INPUT');
  });
});

/** The response body, as bytes, of `query` over HTTP. */
async function rawAnswer(token: string, query: string, variables?: unknown): Promise<string> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.text();
}

describe('the compiled read’s JSON text, written into the response as it is', () => {
  it('is byte for byte the answer of the resolvers', async () => {
    const tenant = await tenantWith(3, 3, 3);
    const viaCompiled = await rawAnswer(tenant.token, wide(false), { n: 3 });
    expect(viaCompiled).toBe(await rawAnswer(tenant.token, wide(true), { n: 3 }));
    expect(viaCompiled.startsWith('{"data":{"__typename":"Query","communities":{')).toBe(true);
    const floats = `{ communities(first: 5) { edges { node { alignmentScore tags relationships { edges { node { conversations { edges { node { sentiment summary } } } } } } } } } }`;
    expect(await rawAnswer(tenant.token, floats)).toBe(await rawAnswer(tenant.token, floats.replace('(first: 5)', '(first: 5) @include(if: true)')));
  });

  it('writes any text, list and float as the resolvers do (PostgreSQL’s escapes, exponents, -0)', async () => {
    const tenant = await tenantWith(1, 1, 1);
    const read = `{ communities(first: 1) { edges { node { name tags alignmentScore relationships(first: 1) { edges { node { name handle conversations(first: 1) { edges { node { summary sentiment } } } } } } } } } }`;
    const forced = read.replace('(first: 1)', '(first: 1) @include(if: true)');
    const owner = new Client({ connectionString: t.db.url });
    await owner.connect();
    const text = fc.string({ unit: 'grapheme', minLength: 1 }).map((s) => `x${s.replace(/\u0000/g, '')}`);
    const unit = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, -0, 1e-5, 1e-7, 0.0001, 0.1 + 0.2, 5e-324, 1));
    try {
      await fc.assert(
        fc.asyncProperty(text, fc.array(text, { maxLength: 3 }), unit, unit, async (name, tags, score, sentiment) => {
          await owner.query(`UPDATE communities SET name = $2, tags = $3, alignment_score = $4 WHERE organization_id = $1`, [tenant.organizationId, name, tags, score]);
          await owner.query(`UPDATE relationships SET name = $2, handle = $2 WHERE organization_id = $1`, [tenant.organizationId, name]);
          await owner.query(`UPDATE conversations SET summary = $2, sentiment = $3 WHERE organization_id = $1`, [tenant.organizationId, name, -sentiment]);
          const compiled = await rawAnswer(tenant.token, read);
          expect(compiled).toBe(await rawAnswer(tenant.token, forced));
          expect(JSON.parse(compiled).data.communities.edges[0].node.name).toBe(name);
        }),
        { numRuns: 12 },
      );
    } finally {
      await owner.end();
    }
  }, 180_000);

  it('falls back to the resolvers when the compiled statement fails, leaving the connection clean', async () => {
    const tenant = await tenantWith(2, 2, 2);
    const expected = await tenant.client.data(wide(true), { n: 3 });
    // A real PostgreSQL error in place of the compiled statement, sent in the same round trip as the binding.
    const { result: answer, failed } = await withFailingCompiledReads(tenant.organizationId, () => tenant.client.data(wide(false), { n: 3 }));
    expect(failed).toBe(1);
    expect(answer).toEqual(expected);
    // Nothing of the failed statement's transaction is left on the pooled connections.
    for (let i = 0; i < 12; i++) expect(await tenant.client.data(wide(false), { n: 3 })).toEqual(expected);
  });
});

describe('the compiled viewer read', () => {
  const VIEWER = `{ __typename viewer { __typename organization { id name slug timezone createdAt __typename } } }`;
  const forced = (q: string) => q.replace('viewer {', 'viewer @include(if: true) {');

  it('answers `viewer { organization }` as the resolvers do, in one statement, for sessions and API keys', async () => {
    const tenant = await signUp(t, 'Viewer "Org" é');
    const key = await apiKey(tenant, ['READ']);
    for (const [token, label] of [[tenant.token, 'session'], [key.secret, 'api key']] as const) {
      const headers: Record<string, string> = label === 'session' ? { authorization: `Bearer ${token}` } : { 'x-api-key': token };
      const raw = async (query: string) =>
        (await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) })).text();
      await raw(VIEWER); // the membership is read once per node
      let compiled = '';
      const sql = await statementsOf(t.ds, async () => (compiled = await raw(VIEWER)));
      expect(sql.filter((q) => !/FROM memberships m JOIN users u|FROM api_keys/.test(q))).toHaveLength(1);
      expect(compiled).toBe(await raw(forced(VIEWER)));
      expect(JSON.parse(compiled).data.viewer.organization.id).toBe(tenant.organizationId);
    }
  });

  it('leaves fields that come from the principal to the resolvers', async () => {
    const tenant = await signUp(t, 'Viewer roles');
    const mixed = `{ viewer { role scopes organization { id } } }`;
    const sql = await statementsOf(t.ds, async () => expect(await tenant.client.data(mixed)).toEqual(await tenant.client.data(forced(mixed))));
    expect(sql.some((q) => q.includes('START TRANSACTION'))).toBe(true);
    expect((await tenant.client.data(mixed)).viewer.role).toBe('OWNER');
  });
});
