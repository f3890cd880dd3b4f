import { signSessionToken } from '../../src/platform/auth/session-tokens';
import { apiKey, PASSWORD, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme Community');
});
afterAll(() => t.close());

const VIEWER = `{ viewer { organization { id name } user { id email } apiKey { id name } role scopes } }`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token organization { id } user { id } } }`;

describe('sign-up and log-in', () => {
  it('signs up an owner who can query viewer with the session token', async () => {
    const data = await acme.client.data(VIEWER);
    expect(data.viewer).toMatchObject({
      organization: { id: acme.organizationId, name: 'Acme Community' },
      user: { id: acme.userId, email: acme.email },
      apiKey: null,
      role: 'OWNER',
    });
    expect(data.viewer.scopes.sort()).toEqual(['ADMIN', 'INGEST', 'READ', 'WRITE']);
  });

  it('logs in with email, password and organization slug', async () => {
    const data = await t.client().data(LOG_IN, {
      input: { email: acme.email.toUpperCase(), password: PASSWORD, organizationSlug: acme.organizationSlug },
    });
    expect(data.logIn.organization.id).toBe(acme.organizationId);
    const viewer = await t.client(data.logIn.token).data(VIEWER);
    expect(viewer.viewer.user.id).toBe(acme.userId);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const wrong = await t.client().error(LOG_IN, { input: { email: acme.email, password: 'not the password' } });
    const unknown = await t.client().error(LOG_IN, { input: { email: 'nobody@example.com', password: PASSWORD } });
    expect(wrong.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrong.message).toBe(unknown.message);
  });

  it('refuses a slug of an organization the user does not belong to', async () => {
    const other = await signUp(t, 'Other Org');
    const e = await t.client().error(LOG_IN, { input: { email: acme.email, password: PASSWORD, organizationSlug: other.organizationSlug } });
    expect(e.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{ password: 'short' }, 'password'],
    [{ organizationName: '   ' }, 'organizationName'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
  ])('rejects bad sign-up input %o naming the field', async (bad, field) => {
    const input = { email: 'fresh@example.com', password: PASSWORD, organizationName: 'Fresh', ...bad };
    const e = await t.client().error(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, { input });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(e.message).toContain(field);
  });

  it('rejects a duplicate email (any case) and writes nothing', async () => {
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM organizations`);
    const e = await t.client().error(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { email: acme.email.toUpperCase(), password: PASSWORD, organizationName: 'Dup' },
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    const after = await t.ds.query(`SELECT count(*)::int AS n FROM organizations`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('stores a memory-hard hash, never the password', async () => {
    const [row] = await t.ds.query(`SELECT password_hash FROM users WHERE id = $1`, [acme.userId]);
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });
});

describe('credentials', () => {
  const expectUnauthenticated = async (headers: Record<string, string>) => {
    const res = await t.client().withHeaders(headers).request(VIEWER);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data ?? null).toBeNull();
  };

  it('rejects a missing, malformed or tampered token', async () => {
    await expectUnauthenticated({});
    await expectUnauthenticated({ authorization: 'Basic abc' });
    await expectUnauthenticated({ authorization: 'Bearer not.a.jwt' });
    const [h, p, s] = acme.token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, org: '00000000-0000-0000-0000-000000000000' })).toString('base64url');
    await expectUnauthenticated({ authorization: `Bearer ${h}.${forged}.${s}` });
  });

  it('rejects an expired session token', async () => {
    const expired = await signSessionToken('test-secret-that-is-long-enough-for-hs256', acme.userId, acme.organizationId, -10);
    await expectUnauthenticated({ authorization: `Bearer ${expired}` });
  });

  it('accepts an API key as Bearer and as x-api-key, and stores only its hash', async () => {
    const key = await apiKey(acme, ['READ']);
    expect(key.secret).toMatch(/^rr_[A-Za-z0-9_-]{43}$/);
    const viaBearer = await t.client(key.secret).data(VIEWER);
    expect(viaBearer.viewer).toMatchObject({ apiKey: { id: key.id }, user: null, role: null, scopes: ['READ'] });
    const viaHeader = await t.client().withHeaders({ 'x-api-key': key.secret }).data(VIEWER);
    expect(viaHeader.viewer.apiKey.id).toBe(key.id);
    const rows = await t.ds.query(`SELECT * FROM api_keys WHERE id = $1`, [key.id]);
    expect(JSON.stringify(rows)).not.toContain(key.secret.slice(12));
  });

  it('lists keys without secrets and records lastUsedAt', async () => {
    const key = await apiKey(acme, ['READ'], 'listed');
    await t.client(key.secret).data(VIEWER);
    await new Promise((r) => setTimeout(r, 200));
    const data = await acme.client.data(`{ apiKeys { id name prefix scopes lastUsedAt } }`);
    const listed = data.apiKeys.find((k: { id: string }) => k.id === key.id);
    expect(listed.prefix).toBe(key.secret.slice(0, 12));
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(data)).not.toContain(key.secret);
  });

  it('refuses a revoked key at once, and a key past its expiry', async () => {
    const key = await apiKey(acme, ['READ']);
    await acme.client.data(`mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.id });
    await expectUnauthenticated({ authorization: `Bearer ${key.secret}` });
    const expiring = await acme.client.data(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
      { input: { name: 'short-lived', scopes: ['READ'], expiresAt: new Date(Date.now() + 1500).toISOString() } },
    );
    await t.client(expiring.createApiKey.secret).data(VIEWER);
    await new Promise((r) => setTimeout(r, 1600));
    await expectUnauthenticated({ 'x-api-key': expiring.createApiKey.secret });
  });

  it('refuses a made-up key with the rr_ prefix', async () => {
    await expectUnauthenticated({ 'x-api-key': `rr_${'A'.repeat(43)}` });
  });

  it('gives FORBIDDEN to a key without the needed scope', async () => {
    const reader = await apiKey(acme, ['READ']);
    const e = await t.client(reader.secret).error(`mutation { createApiKey(input: {name: "x", scopes: [READ]}) { secret } }`);
    expect(e.extensions?.code).toBe('FORBIDDEN');
    expect(e.message).toContain('ADMIN');
  });

  it('rejects an API key with no scopes or an expiry in the past', async () => {
    const none = await acme.client.error(`mutation { createApiKey(input: {name: "x", scopes: []}) { secret } }`);
    expect(none.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes' });
    const past = await acme.client.error(`mutation { createApiKey(input: {name: "x", scopes: [READ], expiresAt: "2020-01-01T00:00:00Z"}) { secret } }`);
    expect(past.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
  });
});
