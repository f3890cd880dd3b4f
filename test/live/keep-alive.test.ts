// The server first: it loads reflect-metadata before any decorated class, as main.ts does.
import { startTestServer, type TestServer } from '../support/test-server';
import type { Tenant } from '../support/builders';
import { METRIC_RECORDED, type MetricRecordedEvent } from '../../src/modules/metrics/metric.events';
import { closedBySlowConsumer, liveTenant, METRIC_UPDATED, openSubscriptions, waitUntil } from './support/live';
import { RawConnection } from './support/raw';

/** Short for a test, long enough for a pong to come back from an idle client on a loaded machine. */
const KEEP_ALIVE_MS = 500;

let t: TestServer;
let acme: Tenant;
let read: string;

const running = (n: number) => waitUntil(async () => (await openSubscriptions(t.server)) === n, `${n} open subscription(s)`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Corks the TCP socket of the newest connection on the server: what is written to it stays there until `uncork`. */
function corkedSocket(): { uncork(): void } {
  const socket = [...t.server.live.wss.clients].pop()!;
  const tcp = (socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  tcp.cork();
  return tcp;
}

const points = Array.from({ length: 1000 }, (_, i) => ({ metricKey: 'leads_won', communityId: null, at: new Date(i).toISOString(), value: i }));
const publish = () => t.server.app.pubsub.publish(acme.organizationId, METRIC_RECORDED, { points } satisfies MetricRecordedEvent);

beforeAll(async () => {
  // A ping every 500 ms, a long close grace: whatever cuts a socket here is the keep-alive.
  t = await startTestServer({}, { liveLimits: { keepAliveMs: KEEP_ALIVE_MS, closeGraceMs: 120_000 } });
  ({ acme, read } = await liveTenant(t));
});
afterAll(() => t.close());

describe('keep-alive', () => {
  it('keeps a client that answers its pings, and cuts one that stops answering', async () => {
    const answering = await RawConnection.open(t.url, read);
    const silent = await RawConnection.open(t.url, read);
    let pings = 0;
    answering.ws.on('ping', () => pings++);
    await waitUntil(() => pings >= 5, 'five pings');
    silent.pause(); // nothing waits for it on the server: its next ping goes unanswered
    await waitUntil(() => t.server.live.registry.size() === 1, 'the silent client to be cut');
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    answering.ws.close();
    silent.ws.terminate();
  });

  it('leaves a slow consumer it has dropped (4413) to take its close frame, however long it was paused', async () => {
    const slow = await RawConnection.open(t.url, read);
    slow.subscribe('1', METRIC_UPDATED);
    await running(1);
    slow.pause();
    // Nothing leaves the server until the drop, so no byte of the backlog is hidden in the kernel's buffers.
    const tcp = corkedSocket();
    for (let i = 0; i < 150 && (await closedBySlowConsumer(t.server)) === 0; i++) {
      await publish();
      await new Promise((r) => setImmediate(r));
    }
    await waitUntil(async () => (await closedBySlowConsumer(t.server)) === 1, 'the slow consumer to be dropped', 60_000);
    tcp.uncork();
    // Many keep-alive periods while it reads nothing (graphql-ws's keep-alive cut it here: 1006).
    await sleep(KEEP_ALIVE_MS * 10);
    const code = slow.closed();
    slow.resume();
    expect(await code).toBe(4413);
  }, 90_000);

  it('does not cut (nor ping) a client while bytes wait for it on the server', async () => {
    const behind = await RawConnection.open(t.url, read);
    const socket = [...t.server.live.wss.clients].pop()!;
    // What is sent now stays on the server, as for a client that is behind once the kernel's buffers are full.
    const tcp = corkedSocket();
    socket.send(JSON.stringify({ type: 'pong' }));
    expect(socket.bufferedAmount).toBeGreaterThan(0);
    await sleep(KEEP_ALIVE_MS * 10);
    // graphql-ws's keep-alive pinged it anyway, behind those bytes, and cut it a period later.
    expect(socket.readyState).toBe(socket.OPEN);
    tcp.uncork();
    await waitUntil(() => behind.messages.length === 1, 'the waiting message');
    expect(socket.readyState).toBe(socket.OPEN);
    behind.ws.close();
  });
});
