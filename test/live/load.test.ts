// The server first: it loads reflect-metadata before any decorated class, as main.ts does.
import { startTestServer, type TestServer } from '../support/test-server';
import type { Tenant } from '../support/builders';
import { goalFeeds } from '../../src/modules/goals/goal-progress.feed';
import { METRIC_RECORDED, type MetricRecordedEvent } from '../../src/modules/metrics/metric.events';
import { builtInFeeds } from '../../src/modules/metrics/metric-updates.feed';
import { roiFeeds } from '../../src/modules/roi/roi-updates.feed';
import { closedBySlowConsumer, liveTenant, METRIC_UPDATED, openSubscriptions, waitUntil } from './support/live';
import { RawConnection } from './support/raw';

let t: TestServer;
let acme: Tenant;
let read: string;

const running = (n: number, timeoutMs = 10_000) =>
  waitUntil(async () => (await openSubscriptions(t.server)) === n, `${n} open subscription(s)`, timeoutMs);

beforeAll(async () => {
  t = await startTestServer();
  ({ acme, read } = await liveTenant(t));
});
afterAll(() => t.close());

describe('a client that never reads', () => {
  it('is dropped with 4413 once too much waits for it, and everything it held is released', async () => {
    const baseline = t.server.app.pubsub.listenerCount();
    const slow = await RawConnection.open(t.url, read);
    slow.subscribe('1', METRIC_UPDATED);
    await running(1);
    slow.pause();
    // Far more than the kernel's socket buffers and the subscription's queue can hold.
    const points = Array.from({ length: 1000 }, (_, i) => ({ metricKey: 'leads_won', communityId: null, at: new Date(i).toISOString(), value: i }));
    for (let i = 0; i < 150 && (await closedBySlowConsumer(t.server)) === 0; i++) {
      await t.server.app.pubsub.publish(acme.organizationId, METRIC_RECORDED, { points } satisfies MetricRecordedEvent);
      await new Promise((r) => setImmediate(r));
    }
    await waitUntil(async () => (await closedBySlowConsumer(t.server)) === 1, 'the slow consumer to be dropped');
    // Dropped at once: its subscription is over and its listeners are gone, before the socket is.
    expect(await openSubscriptions(t.server)).toBe(0);
    expect(t.server.app.pubsub.listenerCount()).toBe(baseline); // revocations come through PostgreSQL, not pub/sub
    const code = slow.closed();
    slow.resume(); // reads what was buffered, then the close frame
    expect(await code).toBe(4413);
    await waitUntil(() => t.server.app.pubsub.listenerCount() === baseline, 'the listeners to be released');
    await waitUntil(() => t.server.live.registry.size() === 0, 'the connection to leave the registry');
  }, 90_000); // 150,000 events' worth of work: on a loaded 2-core machine, more than Jest's default 30 s
});

describe('1,000 connections opened and dropped at once', () => {
  it('leave no listener, subscription or connection behind', async () => {
    const baseline = t.server.app.pubsub.listenerCount();
    const connections: RawConnection[] = [];
    for (let batch = 0; batch < 10; batch++) {
      connections.push(...(await Promise.all(Array.from({ length: 100 }, () => RawConnection.open(t.url, batch % 2 ? read : acme.token)))));
    }
    connections.forEach((c, i) => {
      c.subscribe('m', METRIC_UPDATED, i % 3 === 0 ? { metricKey: 'relationships' } : i % 3 === 1 ? { metricKey: 'leads_won' } : {});
      if (i % 10 === 0) c.subscribe('g', `subscription { goalProgressUpdated { goalId current } }`);
    });
    await running(1100, 30_000);
    expect(t.server.live.registry.size()).toBe(1000);
    expect(t.server.app.pubsub.listenerCount()).toBeGreaterThan(baseline + 600);
    // Half vanish without a close handshake, half close properly, all at once.
    connections.forEach((c, i) => (i % 2 ? c.ws.terminate() : c.ws.close(1000)));
    await running(0, 30_000);
    await waitUntil(() => t.server.app.pubsub.listenerCount() === baseline, 'listeners back to the baseline', 30_000);
    await waitUntil(() => t.server.live.registry.size() === 0, 'no connection left', 30_000);
    expect(builtInFeeds(t.server.app).size()).toBe(0);
    expect(goalFeeds(t.server.app).size()).toBe(0);
    expect(roiFeeds(t.server.app).size()).toBe(0);
  }, 60_000);
});
