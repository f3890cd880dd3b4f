import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity } from '../relationships/graph-builders';

let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Pages');
  for (const name of ['One', 'Two', 'Three']) await createCommunity(acme.client, { name });
});
afterAll(() => t.close());

const PAGE = `query ($first: Int, $after: String) {
  communities(first: $first, after: $after) {
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe('PageInfo, as the Relay spec has it', () => {
  it('gives the first and last cursors of each page and says whether pages come before and after', async () => {
    const first = (await acme.client.data(PAGE, { first: 2 })).communities;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: first.edges[0].cursor,
      endCursor: first.edges[1].cursor,
    });
    const second = (await acme.client.data(PAGE, { first: 2, after: first.pageInfo.endCursor })).communities;
    expect(second.edges).toHaveLength(1);
    expect(second.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: second.edges[0].cursor,
      endCursor: second.edges[0].cursor,
    });
    const names = [...first.edges, ...second.edges].map((e: { node: { name: string } }) => e.node.name);
    expect(new Set(names)).toEqual(new Set(['One', 'Two', 'Three']));
  });

  it('has null cursors on an empty page', async () => {
    const empty = (await acme.client.data(PAGE, { first: 0 })).communities;
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });
});
