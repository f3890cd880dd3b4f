import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitUntil } from '../live/support/live';
import { join, REMOVE, UPDATE_ROLE } from './team-builders';

/**
 * Session tokens are authenticated from a per-node membership cache; a role change or removal
 * made on one node reaches the other's cache through the revocation channel (PostgreSQL NOTIFY).
 */
let a: TestServer;
let b: TestServer;
let acme: Tenant;
const VIEWER = `{ viewer { role organization { id name } } }`;

beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({}, { db: a.db });
  acme = await signUp(a, 'Acme');
});
afterAll(async () => {
  await b.close();
  await a.close();
});

describe('the membership cache', () => {
  it('answers repeated requests without reading the membership, and forgets a changed role on every node', async () => {
    const m = await join(a, acme, 'VIEWER');
    const onB = b.client(m.token);
    expect((await onB.data(VIEWER)).viewer).toEqual({ role: 'VIEWER', organization: { id: acme.organizationId, name: 'Acme' } });
    expect(b.server.app.authenticator.members.get(acme.organizationId, m.userId)).toMatchObject({ role: 'VIEWER' });
    await a.client(acme.token).data(UPDATE_ROLE, { userId: m.userId, role: 'ANALYST' });
    // The changing node forgets at once; the other when the notice arrives.
    expect((await m.client.data(VIEWER)).viewer.role).toBe('ANALYST');
    await waitUntil(() => b.server.app.authenticator.members.get(acme.organizationId, m.userId) === undefined, 'node b to forget the membership');
    expect((await onB.data(VIEWER)).viewer.role).toBe('ANALYST');
  });

  it('refuses a removed member on every node', async () => {
    const m = await join(a, acme, 'ANALYST');
    const onB = b.client(m.token);
    expect((await onB.data(VIEWER)).viewer.role).toBe('ANALYST');
    await a.client(acme.token).data(REMOVE, { userId: m.userId });
    await waitUntil(() => b.server.app.authenticator.members.get(acme.organizationId, m.userId) === undefined, 'node b to forget the membership');
    expect((await onB.request(VIEWER)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('is not used while the revocation channel is down, and is emptied when it comes back', async () => {
    const m = await join(a, acme, 'VIEWER');
    await b.client(m.token).data(VIEWER);
    expect(b.server.app.authenticator.members.size).toBeGreaterThan(0);
    await b.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rapport-revocation' AND datname = current_database()`);
    await waitUntil(() => b.server.app.authenticator.members.size === 0, 'the cache to be emptied on reconnection', 10_000);
  });
});
