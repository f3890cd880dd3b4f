import { signSessionToken } from '../../src/platform/auth/session-tokens';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { LiveClient, METRIC_UPDATED, openSubscriptions, waitUntil } from './support/live';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';

let t: TestServer;
let acme: Tenant;
const clients: LiveClient[] = [];

const client = (authorization?: string, connectionParams?: Record<string, unknown>) => {
  const c = new LiveClient(t.url, authorization, { connectionParams });
  clients.push(c);
  return c;
};
const running = (n: number) => waitUntil(async () => (await openSubscriptions(t.server)) === n, `${n} open subscription(s)`);

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await running(0);
});
afterAll(() => t.close());

describe('connection_init authentication', () => {
  it.each([
    ['no credential', undefined, undefined],
    ['an empty credential', '', undefined],
    ['a wrong API key', `rr_${'x'.repeat(43)}`, undefined],
    ['a tampered session token', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', undefined],
    ['a credential that is not a string', undefined, { authorization: 42 }],
  ])('closes the socket with 4401 for %s, before any subscription starts', async (_what, credential, params) => {
    const live = client(credential, params);
    const sub = live.subscribe(METRIC_UPDATED);
    expect(await live.closed()).toMatchObject({ code: 4401 });
    await sub.ended();
    expect(sub.results).toEqual([]);
    expect(await openSubscriptions(t.server)).toBe(0);
  });

  it('closes the socket with 4403 for a credential without READ', async () => {
    const ingestOnly = await apiKey(acme, ['INGEST']);
    const live = client(ingestOnly.secret);
    const sub = live.subscribe(METRIC_UPDATED);
    expect(await live.closed()).toMatchObject({ code: 4403 });
    expect(sub.results).toEqual([]);
    expect(await openSubscriptions(t.server)).toBe(0);
  });

  it('accepts a session token and an API key with READ, bare or as "Bearer …"', async () => {
    const read = await apiKey(acme, ['READ']);
    for (const credential of [acme.token, read.secret, `Bearer ${read.secret}`]) {
      const live = client(credential);
      live.subscribe(METRIC_UPDATED);
      await running(1);
      await live.dispose();
      await running(0);
      expect(live.closes.every((c) => c.code === 1000)).toBe(true);
    }
  });
});

describe('credentials that stop being valid', () => {
  it('ends a revoked API key’s subscriptions within a second with 4403', async () => {
    const key = await apiKey(acme, ['READ']);
    const other = await apiKey(acme, ['READ']);
    const revoked = client(key.secret);
    const kept = client(other.secret);
    revoked.subscribe(METRIC_UPDATED);
    revoked.subscribe(METRIC_UPDATED, { metricKey: 'leads' });
    kept.subscribe(METRIC_UPDATED);
    await running(3);
    await acme.client.data(`mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: key.id });
    const revokedAt = Date.now();
    expect(await revoked.closed(1000)).toMatchObject({ code: 4403 });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    await running(1); // the other key's subscription stays
    expect(kept.closes).toEqual([]);
  });

  it('ends a session’s subscriptions when it expires', async () => {
    const token = await signSessionToken(SECRET, acme.userId, acme.organizationId, 2);
    const expiresAt = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp * 1000;
    const live = client(token);
    live.subscribe(METRIC_UPDATED);
    await running(1);
    expect(await live.closed(5000)).toMatchObject({ code: 4403 });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(Date.now() - expiresAt).toBeLessThan(1000);
    await running(0);
  });

  it('ends an API key’s subscriptions when the key expires', async () => {
    const expiresAt = new Date(Date.now() + 1500);
    const data = await acme.client.data(`mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, {
      input: { name: 'short-lived', scopes: ['READ'], expiresAt: expiresAt.toISOString() },
    });
    const live = client(data.createApiKey.secret);
    live.subscribe(METRIC_UPDATED);
    await running(1);
    expect(await live.closed(5000)).toMatchObject({ code: 4403 });
    expect(Date.now() - expiresAt.getTime()).toBeLessThan(1000);
  });

  it('catches a revocation whose event was lost with the credential sweep', async () => {
    const key = await apiKey(acme, ['READ']);
    const live = client(key.secret);
    live.subscribe(METRIC_UPDATED);
    await running(1);
    // Revoked behind the API's back: no event is published.
    await t.ds.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
    await t.server.live.registry.sweep();
    expect(await live.closed(1000)).toMatchObject({ code: 4403 });
  });

  it('ends a removed member’s subscriptions on the sweep', async () => {
    const member = await signUp(t, 'Elsewhere');
    const live = client(member.token);
    live.subscribe(METRIC_UPDATED);
    await running(1);
    await t.ds.query(`DELETE FROM memberships WHERE user_id = $1`, [member.userId]);
    await t.server.live.registry.sweep();
    expect(await live.closed(1000)).toMatchObject({ code: 4403 });
  });
});

describe('query limits over WebSocket', () => {
  it('applies the same depth, alias and token limits as HTTP', async () => {
    const live = client(acme.token);
    const shallow = live.subscribe(`{ viewer { organization { id } } }`);
    await shallow.ended();
    expect(shallow.error).toBeUndefined();
    expect(shallow.data[0].viewer.organization.id).toBe(acme.organizationId);
    // relationships > edges > node > community > relationships > … : 13 levels deep, valid otherwise.
    const level = 'relationships(first: 1) { edges { node { community { ';
    const tooDeep = live.subscribe(`{ ${level.repeat(3)}id${' } } } }'.repeat(3)} }`);
    await tooDeep.ended();
    expect((tooDeep.error as Array<{ extensions: { code: string } }>)[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const tooLong = live.subscribe(`subscription { metricUpdated { ${'at '.repeat(1200)} } }`);
    await tooLong.ended();
    expect((tooLong.error as Array<{ extensions: { code: string } }>)[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const tooManyAliases = live.subscribe(`subscription { metricUpdated { ${Array.from({ length: 20 }, (_, i) => `a${i}: at`).join(' ')} } }`);
    await tooManyAliases.ended();
    expect((tooManyAliases.error as Array<{ extensions: { code: string } }>)[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const nul = live.subscribe(`subscription ($k: String) { metricUpdated(metricKey: $k) { at } }`, { k: 'leads\u0000' });
    await nul.ended();
    expect((nul.error as Array<{ extensions: { code: string; field: string } }>)[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'k' });
    // Refused operations never close the socket: only the lazy client's own normal closures when idle.
    expect(live.closes.every((c) => c.code === 1000)).toBe(true);
    expect(await openSubscriptions(t.server)).toBe(0);
  });
});

describe('rate limits over WebSocket', () => {
  it('counts every operation sent over the socket against the caller’s limit, as over HTTP', async () => {
    const limited = await startTestServer({ rateLimitPerMinute: 3 });
    try {
      const owner = await signUp(limited, 'Limited'); // counted by address: no principal yet
      // The limiter counts in fixed minutes: keep the four operations inside one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 57_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      const live = new LiveClient(limited.url, owner.token);
      const subs = [0, 1, 2, 3].map(() => live.subscribe(`{ viewer { organization { id } } }`));
      for (const s of subs) await s.ended();
      const answered = subs.filter((s) => s.data.length).length;
      const refused = subs.filter((s) => (s.error as Array<{ extensions: { code: string } }> | undefined)?.[0]?.extensions.code === 'RATE_LIMITED');
      expect(answered).toBe(3);
      expect(refused).toHaveLength(1);
      expect((refused[0].error as Array<{ extensions: { retryAfterSeconds: number } }>)[0].extensions.retryAfterSeconds).toBeGreaterThan(0);
      await live.dispose();
    } finally {
      await limited.close();
    }
  });
});
