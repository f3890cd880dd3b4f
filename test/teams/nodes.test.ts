import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { LiveClient, METRIC_UPDATED, waitUntil } from '../live/support/live';
import { Child, freePort, startRedis } from '../live/support/processes';
import { join, LOG_OUT, REMOVE } from './team-builders';

const SHARED_REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const VIEWER = `{ viewer { role } }`;

let a: TestServer;
let b: TestServer;
let acme: Tenant;
const clients: LiveClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

/** A socket on node B with a running subscription. */
async function socketOnB(token: string): Promise<LiveClient> {
  const c = new LiveClient(b.url, token);
  clients.push(c);
  c.subscribe(METRIC_UPDATED);
  await waitUntil(() => b.server.live.registry.size() > 0, 'the socket on node B');
  return c;
}

/** Resolves once node B answers the token UNAUTHENTICATED over HTTP. */
function refusedOnB(token: string): Promise<void> {
  return waitUntil(async () => (await b.client(token).request(VIEWER)).errors?.[0].extensions?.code === 'UNAUTHENTICATED', 'node B to refuse', 5000);
}

/** Two nodes on one database; with `redisDown`, their private Redis is killed before each case. */
describe.each([
  ['Redis up', false],
  ['Redis down', true],
])('two nodes, %s', (_label, redisDown) => {
  let redis: Child | undefined;

  beforeAll(async () => {
    let redisUrl = SHARED_REDIS;
    if (redisDown) {
      const port = await freePort();
      redis = await startRedis(port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    a = await startTestServer({ redisUrl });
    b = await startTestServer({ redisUrl }, { db: a.db });
    acme = await signUp(a, 'Acme');
    // Revocations travel by PostgreSQL NOTIFY: losing Redis must not delay them.
    await redis?.stop('SIGKILL');
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop('SIGKILL');
  });

  it('a logOut on node A ends the session on node B within a second, HTTP and WebSocket', async () => {
    const m = await join(a, acme, 'VIEWER');
    await expect(b.client(m.token).data(VIEWER)).resolves.toEqual({ viewer: { role: 'VIEWER' } });
    const socket = await socketOnB(m.token);
    await m.client.data(LOG_OUT);
    const loggedOut = Date.now();
    const [closed] = await Promise.all([socket.closed(1000), refusedOnB(m.token)]);
    expect(closed).toMatchObject({ code: 4403 });
    expect(Date.now() - loggedOut).toBeLessThan(1000);
  });

  it('a removal on node A ends the member on node B at once, HTTP and WebSocket', async () => {
    const m = await join(a, acme, 'ANALYST');
    const socket = await socketOnB(m.token);
    await acme.client.data(REMOVE, { userId: m.userId });
    const removed = Date.now();
    const [closed] = await Promise.all([socket.closed(1000), refusedOnB(m.token)]);
    expect(closed).toMatchObject({ code: 4403 });
    expect(Date.now() - removed).toBeLessThan(1000);
  });
});
