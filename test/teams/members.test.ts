import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { LiveClient, METRIC_UPDATED, waitUntil } from '../live/support/live';
import { join, LOG_OUT, MEMBERS, REMOVE, UPDATE_ROLE } from './team-builders';

let t: TestServer;
let acme: Tenant;
let globex: Tenant;
const clients: LiveClient[] = [];
const live = (token: string) => {
  const c = new LiveClient(t.url, token);
  clients.push(c);
  return c;
};
const VIEWER = `{ viewer { role scopes } }`;
const CREATE_COMMUNITY = `mutation { createCommunity(input: {name: "Forum", platform: "discourse"}) { id } }`;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(() => t.close());

/** Opens a subscription with `token` and waits until the server runs it. */
async function subscribed(token: string): Promise<LiveClient> {
  const c = live(token);
  c.subscribe(METRIC_UPDATED);
  await waitUntil(() => t.server.live.registry.size() > 0 && c.closes.length === 0, 'the socket to be registered');
  await new Promise((r) => setTimeout(r, 50));
  return c;
}

describe('members', () => {
  it('pages through members in the order they joined, with role and joinedAt', async () => {
    const a = await join(t, acme, 'ANALYST');
    const v = await join(t, acme, 'VIEWER');
    const first = (await acme.client.data(MEMBERS, { first: 2 })).members;
    expect(first.totalCount).toBeGreaterThanOrEqual(3);
    expect(first.edges.map((e: any) => e.node.user.id).slice(0, 2)).toEqual([acme.userId, a.userId]);
    expect(first.edges[0].node.role).toBe('OWNER');
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await acme.client.data(MEMBERS, { first: 100, after: first.pageInfo.endCursor })).members;
    expect(rest.edges[0].node).toMatchObject({ role: 'VIEWER', user: { id: v.userId, email: v.email } });
    expect(await acme.client.error(MEMBERS, { first: 101 })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('updateMemberRole', () => {
  it('counts from the next request', async () => {
    const m = await join(t, acme, 'VIEWER');
    expect((await m.client.error(CREATE_COMMUNITY)).extensions?.code).toBe('FORBIDDEN');
    const updated = (await acme.client.data(UPDATE_ROLE, { userId: m.userId, role: 'ANALYST' })).updateMemberRole;
    expect(updated).toEqual({ role: 'ANALYST', user: { id: m.userId, email: m.email } });
    expect((await m.client.data(VIEWER)).viewer).toEqual({ role: 'ANALYST', scopes: ['READ', 'WRITE', 'INGEST'] });
    await expect(m.client.data(CREATE_COMMUNITY)).resolves.toBeDefined();
  });

  it('closes the member’s sockets at once, and only theirs', async () => {
    const m = await join(t, acme, 'ADMIN');
    const other = await join(t, acme, 'VIEWER');
    const theirs = await subscribed(m.token);
    const kept = await subscribed(other.token);
    await acme.client.data(UPDATE_ROLE, { userId: m.userId, role: 'VIEWER' });
    const changedAt = Date.now();
    expect(await theirs.closed(1000)).toMatchObject({ code: 4403 });
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(kept.closes).toEqual([]);
  });

  it('lets only an OWNER grant, change or take the OWNER role', async () => {
    const admin = await join(t, acme, 'ADMIN');
    const viewer = await join(t, acme, 'VIEWER');
    const before = await t.ds.query(`SELECT user_id, role FROM memberships WHERE organization_id = $1 ORDER BY user_id`, [acme.organizationId]);
    expect((await admin.client.error(UPDATE_ROLE, { userId: viewer.userId, role: 'OWNER' })).extensions?.code).toBe('FORBIDDEN');
    expect((await admin.client.error(UPDATE_ROLE, { userId: acme.userId, role: 'VIEWER' })).extensions?.code).toBe('FORBIDDEN');
    expect((await admin.client.error(REMOVE, { userId: acme.userId })).extensions?.code).toBe('FORBIDDEN');
    expect((await viewer.client.error(UPDATE_ROLE, { userId: viewer.userId, role: 'ADMIN' })).extensions?.code).toBe('FORBIDDEN');
    const key = await apiKey(acme, ['ADMIN']);
    expect((await t.client(key.secret).error(UPDATE_ROLE, { userId: viewer.userId, role: 'OWNER' })).extensions?.code).toBe('FORBIDDEN');
    // An ADMIN may move others between the other roles.
    await expect(admin.client.data(UPDATE_ROLE, { userId: viewer.userId, role: 'ANALYST' })).resolves.toBeDefined();
    await admin.client.data(UPDATE_ROLE, { userId: viewer.userId, role: 'VIEWER' });
    const after = await t.ds.query(`SELECT user_id, role FROM memberships WHERE organization_id = $1 ORDER BY user_id`, [acme.organizationId]);
    expect(after).toEqual(before);
  });

  it('never demotes or removes the last OWNER (BAD_USER_INPUT), and allows it once there is another', async () => {
    const org = await signUp(t, 'Solo');
    expect(await org.client.error(UPDATE_ROLE, { userId: org.userId, role: 'ADMIN' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await org.client.error(REMOVE, { userId: org.userId })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await org.client.data(VIEWER)).viewer.role).toBe('OWNER');
    const second = await join(t, org, 'ADMIN');
    await org.client.data(UPDATE_ROLE, { userId: second.userId, role: 'OWNER' });
    // Two OWNERs demoting each other at once: exactly one wins, and one OWNER stays. The loser is
    // refused either as the last OWNER (BAD_USER_INPUT) or, when the winner's change reached it
    // first, as an ADMIN who may no longer touch an OWNER (FORBIDDEN).
    const results = await Promise.all([
      org.client.request(UPDATE_ROLE, { userId: second.userId, role: 'ADMIN' }),
      second.client.request(UPDATE_ROLE, { userId: org.userId, role: 'ADMIN' }),
    ]);
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(['BAD_USER_INPUT', 'FORBIDDEN']).toContain(codes.find((c) => c !== 'ok'));
    const owners = await t.ds.query(`SELECT user_id FROM memberships WHERE organization_id = $1 AND role = 'OWNER'`, [org.organizationId]);
    expect(owners).toHaveLength(1);
  });
});

describe('removeMember', () => {
  it('takes effect at once over HTTP and WebSocket, and revokes the member’s sessions', async () => {
    const m = await join(t, acme, 'ANALYST');
    const socket = await subscribed(m.token);
    expect(await acme.client.data(REMOVE, { userId: m.userId })).toEqual({ removeMember: true });
    const removedAt = Date.now();
    expect(await socket.closed(1000)).toMatchObject({ code: 4403 });
    expect(Date.now() - removedAt).toBeLessThan(1000);
    const res = await m.client.request(VIEWER);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const open = await t.ds.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [m.userId]);
    expect(open[0].n).toBe(0);
    const members = (await acme.client.data(MEMBERS, { first: 100 })).members.edges.map((e: any) => e.node.user.id);
    expect(members).not.toContain(m.userId);
  });
});

describe('logOut', () => {
  it('revokes the session used, at once over HTTP and WebSocket, and no other', async () => {
    const m = await join(t, acme, 'VIEWER');
    const again = await t.client().data(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`, {
      input: { email: m.email, password: 'another long password' },
    });
    const otherSession = t.client(again.logIn.token);
    const socket = await subscribed(m.token);
    expect(await m.client.data(LOG_OUT)).toEqual({ logOut: true });
    const loggedOutAt = Date.now();
    expect(await socket.closed(1000)).toMatchObject({ code: 4403 });
    expect(Date.now() - loggedOutAt).toBeLessThan(1000);
    expect((await m.client.request(VIEWER)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const reconnect = live(m.token);
    reconnect.subscribe(METRIC_UPDATED);
    expect(await reconnect.closed()).toMatchObject({ code: 4401 });
    await expect(otherSession.data(VIEWER)).resolves.toEqual({ viewer: { role: 'VIEWER', scopes: ['READ'] } });
  });

  it('keeps refusing a logged-out token on a node that only reads the database (a restart)', async () => {
    const m = await join(t, acme, 'VIEWER');
    await m.client.data(LOG_OUT);
    const fresh = await startTestServer({}, { db: t.db });
    try {
      expect((await fresh.client(m.token).request(VIEWER)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await fresh.close();
    }
  });

  it('is refused to an API key, which has no session', async () => {
    const key = await apiKey(acme, ['READ']);
    expect((await t.client(key.secret).error(LOG_OUT)).extensions?.code).toBe('FORBIDDEN');
  });
});

describe('tenant isolation', () => {
  it('treats another organization’s member like an unknown user', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const userId of [globex.userId, unknown, 'not-a-uuid']) {
      expect((await acme.client.error(UPDATE_ROLE, { userId, role: 'VIEWER' })).extensions?.code).toBe('NOT_FOUND');
      expect((await acme.client.error(REMOVE, { userId })).extensions?.code).toBe('NOT_FOUND');
    }
    expect((await globex.client.data(VIEWER)).viewer.role).toBe('OWNER');
  });
});
