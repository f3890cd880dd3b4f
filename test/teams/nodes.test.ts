import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { LiveClient, METRIC_UPDATED, waitUntil } from '../live/support/live';
import { join, LOG_OUT, REMOVE } from './team-builders';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const VIEWER = `{ viewer { role } }`;

let a: TestServer;
let b: TestServer;
let acme: Tenant;
const clients: LiveClient[] = [];

beforeAll(async () => {
  a = await startTestServer({ redisUrl: REDIS_URL });
  b = await startTestServer({ redisUrl: REDIS_URL }, { db: a.db });
  acme = await signUp(a, 'Acme');
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await b?.close();
  await a?.close();
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

describe('two nodes', () => {
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
