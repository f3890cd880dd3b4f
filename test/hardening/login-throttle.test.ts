import { apiKey, PASSWORD, signUp, type Tenant } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startTestServer, type TestServer } from '../support/test-server';
import { Child, freePort, startRedis } from '../live/support/processes';
import { ACCEPT, invite } from '../teams/team-builders';

const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token } }`;

async function logIn(t: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: LOG_IN, variables: { input: { email, password } } }),
  });
  const body = (await res.json()) as { data?: { logIn: { token: string } }; errors?: Array<{ extensions: { code: string; retryAfterSeconds?: number } }> };
  return { status: res.status, code: body.errors?.[0]?.extensions.code ?? 'OK', retryAfter: body.errors?.[0]?.extensions.retryAfterSeconds };
}

describe('log-in throttling, one node', () => {
  let t: TestServer;
  let acme: Tenant;
  beforeAll(async () => {
    t = await startTestServer();
    acme = await signUp(t, 'Acme');
  });
  afterAll(() => t.close());

  it('refuses an email for 15 minutes after 10 failed attempts, even with the right password and a valid key of its own', async () => {
    const key = await apiKey(acme, ['READ']);
    for (let i = 0; i < 10; i++) {
      // Half of them carry a credential: each would have been a fresh bucket before.
      const headers: Record<string, string> = i % 2 ? { 'x-api-key': key.secret } : {};
      expect((await logIn(t, acme.email, `wrong password ${i}`, headers)).code).toBe('UNAUTHENTICATED');
    }
    const variants: Array<Record<string, string>> = [{}, { 'x-api-key': key.secret }, { authorization: `Bearer ${acme.token}` }];
    for (const headers of variants) {
      const refused = await logIn(t, acme.email.toUpperCase(), PASSWORD, headers);
      expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(refused.retryAfter).toBeGreaterThan(14 * 60);
      expect(refused.retryAfter).toBeLessThanOrEqual(15 * 60);
    }
    // Other accounts are not affected.
    const other = await signUp(t, 'Other');
    expect((await logIn(t, other.email, PASSWORD)).code).toBe('OK');
  }, 180_000);

  it('a success clears the count of its email', async () => {
    const user = await signUp(t, 'Clears');
    for (let i = 0; i < 9; i++) expect((await logIn(t, user.email, 'wrong password!')).code).toBe('UNAUTHENTICATED');
    expect((await logIn(t, user.email, PASSWORD)).code).toBe('OK');
    for (let i = 0; i < 9; i++) expect((await logIn(t, user.email, 'wrong password!')).code).toBe('UNAUTHENTICATED');
    expect((await logIn(t, user.email, PASSWORD)).code).toBe('OK');
  }, 180_000);

  it('refuses an address after 100 failed attempts, whatever the emails', async () => {
    let last = '';
    for (let i = 0; i < 101; i++) last = (await logIn(t, `nobody-${i}@example.com`, 'wrong password!')).code;
    expect(last).toBe('RATE_LIMITED');
  }, 180_000);
});

describe('log-in throttling across nodes and without Redis', () => {
  let redis: Child;
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let acme: Tenant;
  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    db = await createTestDatabase();
    a = await startTestServer({ redisUrl: `redis://127.0.0.1:${port}` }, { db });
    b = await startTestServer({ redisUrl: `redis://127.0.0.1:${port}` }, { db });
    acme = await signUp(a, 'Acme');
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    await redis?.stop('SIGKILL');
  });

  it('counts one email’s failures on every node together through Redis', async () => {
    for (let i = 0; i < 5; i++) expect((await logIn(a, acme.email, 'wrong password!')).code).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 5; i++) expect((await logIn(b, acme.email, 'wrong password!')).code).toBe('UNAUTHENTICATED');
    expect((await logIn(a, acme.email, PASSWORD)).code).toBe('RATE_LIMITED');
    expect((await logIn(b, acme.email, PASSWORD)).code).toBe('RATE_LIMITED');
  }, 180_000);

  it('counts invitation password guesses with log-in ones, on every node: acceptInvitation is no way around the limit', async () => {
    const target = await signUp(a, 'Target');
    const { token } = await invite(acme, target.email, 'VIEWER');
    const accept = (t: TestServer, password: string) => t.client().request(ACCEPT, { input: { token, password } });
    for (let i = 0; i < 4; i++) expect((await accept(i % 2 ? a : b, `guess number ${i}`)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 6; i++) expect((await logIn(i % 2 ? a : b, target.email, 'wrong password!')).code).toBe('UNAUTHENTICATED');
    for (const t of [a, b]) {
      const refused = await accept(t, PASSWORD);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(14 * 60);
      expect((await logIn(t, target.email, PASSWORD)).code).toBe('RATE_LIMITED');
    }
    const members = (await a.ds.query(`SELECT count(*)::int AS n FROM memberships WHERE user_id = $1`, [target.userId])) as Array<{ n: number }>;
    expect(members[0].n).toBe(1);
  }, 180_000);

  it('keeps counting on each node while Redis is down', async () => {
    const user = await signUp(a, 'Down');
    await redis.stop('SIGKILL');
    for (let i = 0; i < 10; i++) expect((await logIn(a, user.email, 'wrong password!')).code).toBe('UNAUTHENTICATED');
    expect((await logIn(a, user.email, PASSWORD)).code).toBe('RATE_LIMITED');
  }, 180_000);
});

describe('ratelimit headers', () => {
  let t: TestServer;
  let acme: Tenant;
  beforeAll(async () => {
    t = await startTestServer({ rateLimitPerMinute: 1000 });
    acme = await signUp(t, 'Acme');
  });
  afterAll(() => t.close());

  it('come with every /graphql answer: ok, bad credential, malformed body, too large, GET', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const answers = [
      await post(JSON.stringify({ query: '{ viewer { scopes } }' }), { authorization: `Bearer ${acme.token}` }),
      await post(JSON.stringify({ query: '{ __typename }' }), { authorization: 'Bearer not-a-valid-token' }),
      await post('{"query": '),
      await post(JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(1_100_000) })),
      await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 400, 413, 200]);
    for (const res of answers) {
      expect(Number(res.headers.get('ratelimit-limit'))).toBe(1000);
      expect(Number(res.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const first = Number(answers[0].headers.get('ratelimit-remaining'));
    const again = await post(JSON.stringify({ query: '{ viewer { scopes } }' }), { authorization: `Bearer ${acme.token}` });
    expect(Number(again.headers.get('ratelimit-remaining'))).toBe(first - 1);
  });
});
