import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity, createRelationship, logConversation } from './graph-builders';

let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
});
afterAll(() => t.close());

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string } }>;
}
const PAGE = `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }`;

/** Walks pages of `first`, calling `between` after the first page, and returns every id seen. */
async function walk(fetch: (after: string | null) => Promise<Page>, between: () => Promise<void>): Promise<{ ids: string[]; pages: Page[] }> {
  const pages: Page[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page = await fetch(after);
    pages.push(page);
    if (i === 0) await between();
    if (!page.pageInfo.hasNextPage) break;
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    after = page.pageInfo.endCursor;
  }
  return { ids: pages.flatMap((p) => p.edges.map((e) => e.node.id)), pages };
}

describe('pagination', () => {
  it('keeps communities cursors stable while rows are inserted: no duplicates, no gaps', async () => {
    const org = await signUp(t, 'Pages');
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await createCommunity(org.client, { name: `c${i}` }));
    const later: string[] = [];
    const { ids, pages } = await walk(
      async (after) => (await org.client.data(`query ($after: String) { communities(first: 2, after: $after) { ${PAGE} } }`, { after })).communities,
      async () => {
        for (let i = 0; i < 3; i++) later.push(await createCommunity(org.client, { name: `later${i}` }));
      },
    );
    expect(ids).toEqual([...first, ...later]);
    expect(pages[0]).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    expect(pages.at(-1)!.totalCount).toBe(8);
    expect(pages.at(-1)!.pageInfo.hasNextPage).toBe(false);
    expect(pages.map((p) => p.edges.length)).toEqual([2, 2, 2, 2]);
  });

  it('pages relationships at the top level and nested under a community the same way', async () => {
    const c = await createCommunity(acme.client);
    const other = await createCommunity(acme.client);
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await createRelationship(acme.client, c, { name: `r${i}` }));
    await createRelationship(acme.client, other);
    const added: string[] = [];
    const nested = await walk(
      async (after) =>
        (await acme.client.data(`query ($id: ID!, $after: String) { community(id: $id) { relationships(first: 2, after: $after) { ${PAGE} } } }`, { id: c, after }))
          .community.relationships,
      async () => {
        added.push(await createRelationship(acme.client, c, { name: 'new' }));
      },
    );
    expect(nested.ids).toEqual([...first, ...added]);
    expect(nested.pages.map((p) => [p.totalCount, p.pageInfo.hasNextPage])).toEqual([
      [3, true],
      [4, false],
    ]);

    const top = await walk(
      async (after) =>
        (await acme.client.data(`query ($id: ID!, $after: String) { relationships(first: 3, after: $after, filter: { communityId: $id }) { ${PAGE} } }`, { id: c, after }))
          .relationships,
      async () => {
        added.push(await createRelationship(acme.client, c, { name: 'newer' }));
      },
    );
    expect(top.ids).toEqual([...first, ...added]);
  });

  it('pages conversations of a relationship', async () => {
    const c = await createCommunity(acme.client);
    const r = await createRelationship(acme.client, c);
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await logConversation(acme.client, r));
    const added: string[] = [];
    const { ids, pages } = await walk(
      async (after) =>
        (await acme.client.data(`query ($id: ID!, $after: String) { relationship(id: $id) { conversations(first: 2, after: $after) { ${PAGE} } } }`, { id: r, after }))
          .relationship.conversations,
      async () => {
        added.push(await logConversation(acme.client, r));
      },
    );
    expect(ids).toEqual([...first, ...added]);
    expect(pages[0].totalCount).toBe(3);
    expect(pages.at(-1)!.pageInfo.hasNextPage).toBe(false);
  });

  it('answers first: 0 with no edges but the right hasNextPage and totalCount', async () => {
    const org = await signUp(t, 'Zero');
    await createCommunity(org.client);
    const data = await org.client.data(`{ communities(first: 0) { ${PAGE} } }`);
    expect(data.communities).toEqual({ totalCount: 1, pageInfo: { hasNextPage: true, endCursor: null }, edges: [] });
  });

  it('gives different page sizes of the same nested connection in one query', async () => {
    const org = await signUp(t, 'Aliases');
    const c = await createCommunity(org.client);
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push(await createRelationship(org.client, c));
    const data = await org.client.data(`{ communities { edges { node {
      one: relationships(first: 1) { edges { node { id } } }
      all: relationships(first: 3) { edges { node { id } } }
      leads: relationships(filter: { stage: LEAD }) { totalCount }
    } } } }`);
    const node = data.communities.edges[0].node;
    expect(node.one.edges.map((e: any) => e.node.id)).toEqual(rs.slice(0, 1));
    expect(node.all.edges.map((e: any) => e.node.id)).toEqual(rs);
    expect(node.leads.totalCount).toBe(0);
  });
});

describe('bad page arguments', () => {
  const queries = {
    communities: (args: string) => `{ communities(${args}) { totalCount } }`,
    relationships: (args: string) => `{ relationships(${args}) { totalCount } }`,
    'community.relationships': (args: string) => `{ communities { edges { node { relationships(${args}) { totalCount } } } } }`,
    'relationship.conversations': (args: string) => `{ relationships { edges { node { conversations(${args}) { totalCount } } } } }`,
  };

  beforeAll(async () => {
    const c = await createCommunity(acme.client);
    await createRelationship(acme.client, c);
  });

  it.each(Object.entries(queries))('%s: first 101 or -1 is BAD_USER_INPUT naming first', async (_name, query) => {
    for (const first of [101, -1]) {
      const e = await acme.client.error(query(`first: ${first}`));
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      expect(e.message).toContain('first');
    }
  });

  it.each(Object.entries(queries))('%s: a malformed cursor is BAD_USER_INPUT naming after', async (_name, query) => {
    for (const after of ['garbage', Buffer.from('v1:12:not-a-uuid').toString('base64url'), '']) {
      const res = await acme.client.request(query(`after: ${JSON.stringify(after)}`));
      if (after === '') {
        expect(res.errors).toBeUndefined(); // an empty cursor is the first page
        continue;
      }
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});
