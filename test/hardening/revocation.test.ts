import type { DataSource } from 'typeorm';
import { bindTenant } from '../../src/db/tenant';
import { announceRevocation, type RevocationKind } from '../../src/platform/revocation/revocation';
import { GraphQLClient } from '../support/graphql-client';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { Child, freePort, startNode, startRedis } from '../live/support/processes';
import { DEFINE, LiveClient, METRIC_UPDATED, openSubscriptions, RECORD, waitUntil } from '../live/support/live';

const SESSION_SECRET = 'test-secret-that-is-long-enough-for-hs256';
const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`;
const point = (value: number) => ({ points: [{ metricKey: 'signups', value, at: '2026-05-01T00:00:00.000Z' }] });

/** Announces a revocation in a transaction of `tenantId`'s own, as a service would; `fail` rolls it back. */
const announce = (ds: DataSource, tenantId: string, kind: RevocationKind, id: string, fail = false) =>
  ds.transaction(async (m) => {
    await announceRevocation(await bindTenant(m, tenantId), { kind, id });
    if (fail) throw new Error('roll back');
  });

const clients: LiveClient[] = [];
const live = (base: string, authorization: string) => {
  const c = new LiveClient(base, authorization);
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

describe('revocation through PostgreSQL NOTIFY, two nodes, Redis down', () => {
  let redis: Child;
  let a: TestServer;
  let b: { child: Child; url: string };
  let acme: Tenant;

  beforeAll(async () => {
    // A private Redis that both nodes use for their data events, killed before the revocations.
    const port = await freePort();
    redis = await startRedis(port);
    a = await startTestServer({ redisUrl: `redis://127.0.0.1:${port}` });
    b = await startNode({ DATABASE_URL: a.db.url, REDIS_URL: `redis://127.0.0.1:${port}`, SESSION_SECRET });
    acme = await signUp(a, 'Acme');
    await acme.client.data(DEFINE, { input: { key: 'signups', name: 'Sign-ups', aggregation: 'SUM' } });
    await redis.stop('SIGKILL');
  }, 90_000);
  afterAll(async () => {
    await b?.child.stop();
    await a?.close();
    await redis?.stop('SIGKILL');
  });

  it('closes a key’s sockets on node A within 1 s of its revocation on node B, and no event reaches them after', async () => {
    const key = await apiKey(acme, ['READ']);
    const other = await apiKey(acme, ['READ']);
    const revoked = live(a.url, key.secret);
    const kept = live(a.url, other.secret);
    const gone = revoked.subscribe(METRIC_UPDATED, { metricKey: 'signups' });
    const stays = kept.subscribe(METRIC_UPDATED, { metricKey: 'signups' });
    await waitUntil(async () => (await openSubscriptions(a.server)) === 2, 'two subscriptions on A');

    await new GraphQLClient(`${b.url}/graphql`, acme.token).data(REVOKE, { id: key.id });
    const revokedAt = Date.now();
    // A write on node A right after: the revoked socket must not hear it, the other one must.
    const write = acme.client.data(RECORD, point(7));
    expect(await revoked.closed(2000)).toMatchObject({ code: 4403 });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    await write;
    expect(gone.data).toEqual([]);
    expect((await stays.next(1))[0].metricUpdated.value).toBe(7);
    expect(kept.closes).toEqual([]);
    // And over HTTP, on both nodes, the key is refused at once.
    for (const url of [a.url, b.url]) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key.secret },
        body: JSON.stringify({ query: '{ viewer { scopes } }' }),
      });
      expect(res.status).toBe(401);
    }
  });

  it('closes a key’s sockets on node B when it is revoked on node A', async () => {
    const key = await apiKey(acme, ['READ']);
    const onB = live(b.url, key.secret);
    const sub = onB.subscribe(`subscription { metricUpdated { value } }`);
    // B has no in-process handle here: wait until the socket's subscription is acknowledged by a write.
    await new GraphQLClient(`${b.url}/graphql`, acme.token).data(RECORD, point(1));
    await sub.next(1);
    await acme.client.data(REVOKE, { id: key.id });
    const revokedAt = Date.now();
    expect(await onB.closed(1000)).toMatchObject({ code: 4403 });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });
});

describe('the generic revocation channel', () => {
  let t: TestServer;
  let acme: Tenant;

  beforeAll(async () => {
    t = await startTestServer();
    acme = await signUp(t, 'Acme');
  });
  afterAll(() => t.close());

  it('is heard only when the announcing transaction commits', async () => {
    const heard: string[] = [];
    const off = t.server.app.revocations.subscribe((r) => heard.push(`${r.kind}:${r.id}`));
    try {
      await expect(announce(t.ds, acme.organizationId, 'session', 'rolled-back', true)).rejects.toThrow('roll back');
      await announce(t.ds, acme.organizationId, 'widget_token', 'committed');
      await waitUntil(() => heard.length > 0, 'the committed revocation', 1000);
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual(['widget_token:committed']);
    } finally {
      off();
    }
  });

  it('closes a member’s sockets when their membership is announced revoked, and only theirs', async () => {
    const key = await apiKey(acme, ['READ']);
    const member = live(t.url, acme.token);
    const partner = live(t.url, key.secret);
    member.subscribe(METRIC_UPDATED);
    partner.subscribe(METRIC_UPDATED);
    await waitUntil(async () => (await openSubscriptions(t.server)) === 2, 'two subscriptions');
    // Another tenant's announcement with the same id closes nothing here.
    const globex = await signUp(t, 'Globex');
    await announce(t.ds, globex.organizationId, 'membership', acme.userId);
    await announce(t.ds, acme.organizationId, 'membership', acme.userId);
    expect(await member.closed(1000)).toMatchObject({ code: 4403 });
    await waitUntil(async () => (await openSubscriptions(t.server)) === 1, 'the key’s subscription left');
    expect(partner.closes).toEqual([]);
  });

  it('comes back after losing its connection, and re-checks open sockets then', async () => {
    const listener = t.server.app.revocations;
    const key = await apiKey(acme, ['READ']);
    const c = live(t.url, key.secret);
    c.subscribe(METRIC_UPDATED);
    await waitUntil(async () => (await openSubscriptions(t.server)) === 1, 'one subscription');
    // Cut the listening connection of this file's database only, then revoke while it is away.
    await t.ds.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rapport-revocation' AND datname = current_database()`,
    );
    await waitUntil(() => !listener.listening, 'the listener to notice');
    await t.ds.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
    // On reconnection the registry sweeps: the key revoked meanwhile is caught without waiting 30 s.
    expect(await c.closed(5000)).toMatchObject({ code: 4403 });
    await waitUntil(() => listener.listening, 'the listener to come back', 5000);
    const heard: string[] = [];
    const off = listener.subscribe((r) => heard.push(r.id));
    await announce(t.ds, acme.organizationId, 'api_key', 'after');
    await waitUntil(() => heard.includes('after'), 'a revocation after the reconnection', 1000);
    off();
  });
});
