import { PASSWORD, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Transport');
});
afterAll(() => t.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('HTTP edges', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    await acme.client.data('query ViewerForMetrics { viewer { scopes } }');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/rapport_graphql_operations_total\{operation="ViewerForMetrics",type="query",outcome="ok"\} 1/);
    expect(metrics).toMatch(/rapport_graphql_operation_duration_seconds_count\{operation="ViewerForMetrics",type="query"\} 1/);
    expect(metrics).toContain('rapport_open_subscriptions');
    expect(metrics).toMatch(/rapport_db_pool_connections \d+/);
  });

  it('answers a body that is not JSON with 400 and a clear message', async () => {
    const res = await post('{"query": ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]).toMatchObject({ message: 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('answers JSON that is not a GraphQL request with 400', async () => {
    const res = await post(JSON.stringify({ hello: 'world' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/query/);
  });

  it('refuses a body over 1 MB with 413 and stays up', async () => {
    const res = await post(JSON.stringify({ query: '{ viewer { scopes } }', variables: { pad: 'x'.repeat(1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await acme.client.data('{ viewer { scopes } }')).viewer.scopes).toContain('READ');
  });

  it('answers a syntax error with GRAPHQL_PARSE_FAILED and an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
    const e = await acme.client.error('{ viewer { ');
    expect(e.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await acme.client.error('{ viewer { nope } }');
    expect(unknown).toMatchObject({ message: expect.stringMatching(/Cannot query field "nope"/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('returns the request id it was given, in the header and on errors', async () => {
    const res = await acme.client.withHeaders({ 'x-request-id': 'req-12345678' }).request('{ nope }');
    expect(res.headers.get('x-request-id')).toBe('req-12345678');
    expect(res.errors?.[0].extensions?.requestId).toBe('req-12345678');
  });
});

describe('query limits', () => {
  const expectTooComplex = async (query: string) => {
    const e = await acme.client.error(query);
    expect(e.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    return e;
  };

  it('refuses a query nested deeper than 12', async () => {
    // relationships > edges > node > community > relationships > … : 13 levels (introspection's own depth is the schema's, not counted).
    const level = 'relationships(first: 1) { edges { node { community { ';
    const e = await expectTooComplex(`{ ${level.repeat(3)}id${' } } } }'.repeat(3)} }`);
    expect(e.message).toMatch(/depth limit of 12 exceeded, found 13/);
    // Introspection's depth is the schema's: type references nest without counting.
    const ofTypes = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`;
    expect((await acme.client.data(ofTypes)).__schema.types.length).toBeGreaterThan(10);
  });

  it('counts depth through fragments without looping on cycles', async () => {
    const e = await acme.client.error(`query { viewer { ...A } } fragment A on Viewer { organization { ...B } } fragment B on Organization { id ...A }`);
    expect(['GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']).toContain(e.extensions?.code);
  });

  it('refuses more than 15 aliases before any resolver runs', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) =>
      `a${i}: signUp(input: {email: "alias${i}@example.com", password: "${PASSWORD}", organizationName: "A${i}"}) { token }`,
    ).join(' ');
    await expectTooComplex(`mutation { ${aliases} }`);
    const rows = await t.ds.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE 'alias%'`);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a document over 1000 tokens', async () => {
    const res = await acme.client.request(`{ ${'viewer { scopes } '.repeat(300)} }`);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(res.errors?.[0].message).toMatch(/tokens/);
  });

});

describe('masked errors', () => {
  it('masks an internal error, keeps the request id, and logs nothing of it to the client', async () => {
    const other = await startTestServer();
    try {
      const owner = await signUp(other, 'Masked');
      await other.ds.query('ALTER TABLE api_keys RENAME TO api_keys_moved');
      const res = await owner.client.withHeaders({ 'x-request-id': 'req-masked-1' }).request('{ apiKeys { id } }');
      expect(res.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-masked-1' } });
      expect(JSON.stringify(res)).not.toMatch(/api_keys|relation|stack|SELECT/i);
      await other.ds.query('ALTER TABLE api_keys_moved RENAME TO api_keys');
      expect((await owner.client.data('{ apiKeys { id } }')).apiKeys).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('answers /readyz 503 once the database is gone, while /healthz stays 200', async () => {
    const other = await startTestServer();
    try {
      await other.ds.destroy();
      expect((await fetch(`${other.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    } finally {
      await other.server.close();
      await other.db.drop();
    }
  });
});

describe('rate limits', () => {
  it('answers RATE_LIMITED with retryAfterSeconds past the per-minute budget, per principal', async () => {
    const limited = await startTestServer({ rateLimitPerMinute: 3 });
    try {
      const owner = await signUp(limited, 'Limited'); // 1 (anonymous, by address)
      for (let i = 0; i < 3; i++) await owner.client.data('{ viewer { scopes } }');
      const res = await owner.client.request('{ viewer { scopes } }');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      const other = await signUp(limited, 'Other'); // a different principal still has its budget
      expect((await other.client.data('{ viewer { scopes } }')).viewer.scopes).toContain('READ');
    } finally {
      await limited.close();
    }
  });
});

describe('text input', () => {
  it('refuses a NUL character in a variable or inline, naming where, and writes nothing', async () => {
    const create = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`;
    const e = await acme.client.error(create, { input: { name: 'bad\u0000name', scopes: ['READ'] } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const inline = await acme.client.error(`mutation { createApiKey(input: {name: "bad\\u0000name", scopes: [READ]}) { secret } }`);
    expect(inline.extensions?.code).toBe('BAD_USER_INPUT');
    const rows = await t.ds.query(`SELECT count(*)::int AS n FROM api_keys WHERE name LIKE 'bad%'`);
    expect(rows[0].n).toBe(0);
  });
});
