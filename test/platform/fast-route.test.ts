import { apiKey, signUp, type Tenant } from '../support/builders';
import { withFailingCompiledReads } from '../support/pg-faults';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * The fast route (src/platform/http/fast-route.ts) against the full express + Apollo path: two
 * servers over one database, `fast` with the route and `full` without, get the same requests in
 * the same order and must answer the same status, body bytes
 * and headers. The fast route's own counter tells which requests it answered.
 */

const ORIGIN = 'https://app.example';
const VIEWER = '{ viewer { organization { id name } } }';
const NESTED = `query Nested($n: Int) { communities(first: 2) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id name tags relationships(first: $n) { totalCount edges { node { id name stage } } } } } } }`;
/** The same selection through the resolvers (a directive is never compiled). */
const NESTED_BY_RESOLVERS = NESTED.replace('communities(first: 2)', 'communities(first: 2) @include(if: true)');

/** Headers that differ between any two answers, whoever writes them. */
const VARYING = new Set(['date', 'keep-alive', 'connection']);

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Init = { method?: string; headers?: Record<string, string>; body?: string; path?: string };

async function send(server: TestServer, init: Init): Promise<Answer> {
  const res = await fetch(`${server.url}${init.path ?? '/graphql'}`, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!VARYING.has(name)) headers[name] = value;
  });
  return { status: res.status, body: await res.text(), headers };
}

/** What may differ between two nodes counting the same requests ms apart: the seconds left in a window. */
function normalised(a: Answer): Answer {
  const headers = { ...a.headers };
  for (const name of ['ratelimit-reset', 'retry-after']) if (name in headers) headers[name] = 'N';
  return { ...a, headers, body: a.body.replace(/retry in \d+ s/g, 'retry in N s').replace(/"retryAfterSeconds":\d+/g, '"retryAfterSeconds":N') };
}

const counted = async (server: TestServer): Promise<number> => (await server.server.metrics.fastRoute.get()).values[0]?.value ?? 0;

function post(token: string | undefined, query: string, variables?: unknown, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Init {
  return {
    headers: { 'content-type': 'application/json', 'x-request-id': 'fast-route-test-1', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables, ...extra }),
  };
}

describe('the fast route answers exactly as express and Apollo do', () => {
  let fast: TestServer;
  let full: TestServer;
  let acme: Tenant;
  let globex: Tenant;

  /** Sends `init` to both servers; returns both answers and how many the fast route answered. */
  async function both(init: Init): Promise<{ fast: Answer; full: Answer; viaFastRoute: number }> {
    const before = await counted(fast);
    const a = await send(fast, init);
    const viaFastRoute = (await counted(fast)) - before;
    const b = await send(full, init);
    return { fast: a, full: b, viaFastRoute };
  }

  /** Both answers are the same; returns the fast server's. */
  async function same(init: Init, fastRoute: 0 | 1): Promise<Answer> {
    const r = await both(init);
    expect(normalised(r.fast)).toEqual(normalised(r.full));
    expect(r.viaFastRoute).toBe(fastRoute);
    return r.fast;
  }

  beforeAll(async () => {
    fast = await startTestServer({ corsOrigins: [ORIGIN], rateLimitPerMinute: 0 });
    full = await startTestServer({ corsOrigins: [ORIGIN], rateLimitPerMinute: 0 }, { db: fast.db, fastRoute: false });
    acme = await signUp(fast, 'Acme');
    globex = await signUp(fast, 'Globex');
    for (const [tenant, n] of [[acme, 3], [globex, 1]] as const) {
      for (let c = 0; c < n; c++) {
        const id = (await tenant.client.data(`mutation ($i: CreateCommunityInput!) { createCommunity(input: $i) { id } }`, { i: { name: `${tenant.organizationSlug} c${c}`, platform: 'forum', tags: ['t', 'ü "q"'] } })).createCommunity.id;
        for (let r = 0; r < 2; r++) {
          await tenant.client.data(`mutation ($i: CreateRelationshipInput!) { createRelationship(input: $i) { id } }`, { i: { communityId: id, name: `r${r}` } });
        }
      }
    }
  }, 60_000);
  afterAll(async () => {
    await full?.close();
    await fast?.close();
  });

  it('serves a known read itself, with the same bytes and headers (CORS, request id) as the full path', async () => {
    const viewer = post(acme.token, VIEWER, undefined, {}, { origin: ORIGIN });
    // The first time, Apollo parses, validates and answers; the fast route learns the query text.
    const first = await same(viewer, 0);
    const again = await same(viewer, 1);
    expect(again).toEqual(first);
    expect(JSON.parse(again.body)).toEqual({ data: { viewer: { organization: { id: acme.organizationId, name: 'Acme' } } } });
    expect(again.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': 'fast-route-test-1',
      'access-control-allow-origin': ORIGIN,
    });
    expect(again.headers.etag).toBeUndefined();
    // A request id the server makes is a fresh one each time, on both paths.
    const made = await both({ ...viewer, headers: { ...viewer.headers, 'x-request-id': 'bad id!' } });
    expect(made.viaFastRoute).toBe(1);
    expect(made.fast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a nested read with variables and operation name as the resolvers do, for each tenant its own rows only', async () => {
    const nested = (t: Tenant, n: number) => post(t.token, NESTED, { n }, { operationName: 'Nested' });
    await same(nested(acme, 2), 0);
    const answer = await same(nested(acme, 2), 1);
    // The same plan with other variables is compiled on the fast route too.
    await same(nested(acme, 1), 1);
    const byResolvers = await send(fast, post(acme.token, NESTED_BY_RESOLVERS, { n: 2 }, { operationName: 'Nested' }));
    expect(JSON.parse(answer.body)).toEqual(JSON.parse(byResolvers.body));
    expect(JSON.parse(answer.body).data.communities.totalCount).toBe(3);
    // Another tenant sending the learnt text gets its own organization and rows, never Acme's.
    const theirs = await same(nested(globex, 2), 1);
    const globexData = JSON.parse(theirs.body).data.communities;
    expect(globexData.totalCount).toBe(1);
    expect(JSON.stringify(globexData)).not.toContain('acme');
    const theirViewer = await same(post(globex.token, VIEWER), 1);
    expect(JSON.parse(theirViewer.body).data.viewer.organization).toEqual({ id: globex.organizationId, name: 'Globex' });
    // The same text without its operation name, or with another, was not learnt: the full path answers.
    await same(post(acme.token, NESTED, { n: 2 }), 0);
  });

  it('leaves refusals to the full path: bad or revoked credential, missing scope, NUL text, bad body', async () => {
    await same(post(acme.token, VIEWER), 1);
    const refused = await same(post('not-a-token', VIEWER), 0);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const malformed = await same(post(undefined, VIEWER, undefined, {}, { authorization: 'Basic abc' }), 0);
    expect(malformed.status).toBe(401);

    // An API key without READ: the compiled read is not for it, and the resolvers refuse.
    const ingest = await apiKey(acme, ['INGEST']);
    const forbidden = await same(post(ingest.secret, NESTED, { n: 1 }, { operationName: 'Nested' }), 0);
    expect(JSON.parse(forbidden.body).errors[0].extensions.code).toBe('FORBIDDEN');
    const reader = await apiKey(acme, ['READ']);
    const viaKey = await same({ ...post(undefined, NESTED, { n: 1 }, { operationName: 'Nested' }), headers: { 'content-type': 'application/json', 'x-request-id': 'fast-route-test-1', 'x-api-key': reader.secret } }, 1);
    expect(JSON.parse(viaKey.body).data.communities.totalCount).toBe(3);

    const nul = await same(post(acme.token, NESTED, { n: 1, x: 'a\u0000b' }, { operationName: 'Nested' }), 0);
    expect(nul.status).toBe(400);
    const notJson = await same({ headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.token}`, 'x-request-id': 'fast-route-test-1' }, body: '{"query": "{ viewer {' }, 0);
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).errors[0].message).toBe('Request body is not valid JSON');
    const notObject = await same({ headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.token}`, 'x-request-id': 'fast-route-test-1' }, body: '"query"' }, 0);
    expect(notObject.status).toBe(400);
    // A bad credential comes before a bad body, as admission reads headers first.
    const both401 = await same({ headers: { 'content-type': 'application/json', authorization: 'Bearer nope', 'x-request-id': 'fast-route-test-1' }, body: '{"query"' }, 0);
    expect(both401.status).toBe(401);

    // Revoked: logging out ends the session on both nodes (the revocation channel).
    const session = await signUp(fast, 'Initech');
    await same(post(session.token, VIEWER), 1);
    await session.client.data('mutation { logOut }');
    const deadline = Date.now() + 10_000;
    let revoked = await both(post(session.token, VIEWER));
    while ((revoked.fast.status !== 401 || revoked.full.status !== 401) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      revoked = await both(post(session.token, VIEWER));
    }
    expect(normalised(revoked.fast)).toEqual(normalised(revoked.full));
    expect(revoked.fast.status).toBe(401);
    expect(revoked.viaFastRoute).toBe(0);
  });

  it('runs a failing compiled statement once, then leaves the request to the resolvers, as the full path does', async () => {
    const nested = post(acme.token, NESTED, { n: 2 }, { operationName: 'Nested' });
    await same(nested, 1);
    // A real PostgreSQL error in place of the compiled statement, on both servers.
    const { result: answers, failed } = await withFailingCompiledReads(acme.organizationId, () => both(nested));
    expect(answers.fast).toEqual(answers.full);
    expect(answers.viaFastRoute).toBe(0);
    expect(failed).toBe(2);
    expect(JSON.parse(answers.fast.body).data.communities.totalCount).toBe(3);
  });

  it('leaves other shapes to the full path: content types, accept, GET, batches, persisted queries, over-limit queries', async () => {
    const viewer = post(acme.token, VIEWER);
    await same(viewer, 1);
    const plain = await same({ ...viewer, headers: { ...viewer.headers, 'content-type': 'text/plain' } }, 0);
    expect(plain.status).toBe(400);
    const form = await same({ ...viewer, headers: { ...viewer.headers, 'content-type': 'application/x-www-form-urlencoded' } }, 0);
    expect(form.status).toBe(400);
    const graphqlResponse = await same({ ...viewer, headers: { ...viewer.headers, accept: 'application/graphql-response+json' } }, 0);
    expect(graphqlResponse.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    await same({ ...viewer, headers: { ...viewer.headers, accept: 'text/csv' } }, 0);
    const get = await same({ method: 'GET', path: `/graphql?query=${encodeURIComponent(VIEWER)}`, headers: { authorization: `Bearer ${acme.token}`, 'x-request-id': 'fast-route-test-1', 'apollo-require-preflight': 'true' } }, 0);
    expect(get.status).toBe(200);
    await same({ ...viewer, body: JSON.stringify([{ query: VIEWER }]) }, 0);
    await same(post(acme.token, VIEWER, undefined, { extensions: { persistedQuery: { version: 1, sha256Hash: 'ab' } } }), 0);
    await same(post(acme.token, VIEWER, [1]), 0);
    await same(post(acme.token, VIEWER, undefined, { operationName: 7 }), 0);
    const deep = `{ communities { edges { node { relationships { edges { node { conversations { edges { node { relationship { community { relationships { edges { node { id } } } } } } } } } } } } } } }`;
    const tooDeep = await same(post(acme.token, deep), 0);
    expect(JSON.parse(tooDeep.body).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    await same(viewer, 1);
  });
});

/** Rate limits on, both nodes counting the same requests of one fresh token. */
describe('the fast route under a rate limit', () => {
  let fast: TestServer;
  let full: TestServer;

  beforeAll(async () => {
    fast = await startTestServer({ rateLimitPerMinute: 4 });
    full = await startTestServer({ rateLimitPerMinute: 4 }, { db: fast.db, fastRoute: false });
  });
  afterAll(async () => {
    await full?.close();
    await fast?.close();
  });

  it('counts each request once and refuses over the limit exactly as the full path does', async () => {
    const tenant = await signUp(fast, 'Limited');
    const before = await counted(fast);
    const answers: Array<[Answer, Answer]> = [];
    // Sign-up counted once on `fast` by address; the token's own counter starts here on both.
    for (let i = 0; i < 6; i++) {
      const init = post(tenant.token, VIEWER);
      answers.push([await send(fast, init), await send(full, init)]);
    }
    for (const [a, b] of answers) expect(normalised(a)).toEqual(normalised(b));
    expect(answers.map(([a]) => a.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.map(([a]) => a.headers['ratelimit-remaining'])).toEqual(['3', '2', '1', '0', '0', '0']);
    expect(answers[4][0].headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(answers[4][0].body).errors[0].extensions.code).toBe('RATE_LIMITED');
    // The first went through Apollo (learnt), the next three through the fast route, the refusals not.
    expect((await counted(fast)) - before).toBe(3);
  });
});
