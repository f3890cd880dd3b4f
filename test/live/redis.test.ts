import { channelOf } from '../../src/platform/pubsub/pubsub';
import { RedisPubSub } from '../../src/platform/pubsub/redis-pubsub';
import { METRIC_RECORDED } from '../../src/modules/metrics/metric.events';
import { GraphQLClient } from '../support/graphql-client';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { Child, freePort, redisSubscribers, startNode, startRedis } from './support/processes';
import { DEFINE, LiveClient, METRIC_UPDATED, openSubscriptions, RECORD, waitUntil } from './support/live';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSION_SECRET = 'test-secret-that-is-long-enough-for-hs256';

const clients: LiveClient[] = [];
const live = (base: string, authorization: string) => {
  const c = new LiveClient(base, authorization);
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

const point = (value: number) => ({ points: [{ metricKey: 'signups', value, at: '2026-05-01T00:00:00.000Z' }] });

/** Waits until Redis counts `n` subscribers (over all nodes) on a tenant topic. */
const subscribedInRedis = (url: string, tenant: Tenant, topic: string, n: number) =>
  waitUntil(async () => (await redisSubscribers(url, channelOf(tenant.organizationId, topic))) >= n, `${n} Redis subscriber(s) on ${topic}`);

describe('two nodes through Redis', () => {
  let a: TestServer;
  let b: { child: Child; url: string };
  let acme: Tenant;
  let onB: GraphQLClient;

  beforeAll(async () => {
    a = await startTestServer({ redisUrl: REDIS_URL });
    b = await startNode({ DATABASE_URL: a.db.url, REDIS_URL, SESSION_SECRET });
    acme = await signUp(a, 'Acme');
    await acme.client.data(DEFINE, { input: { key: 'signups', name: 'Sign-ups', aggregation: 'SUM' } });
    onB = new GraphQLClient(`${b.url}/graphql`, acme.token);
  }, 90_000);
  afterAll(async () => {
    await b?.child.stop();
    await a?.close();
  });

  it('uses Redis for pub/sub when REDIS_URL is set', () => {
    expect(a.server.app.pubsub).toBeInstanceOf(RedisPubSub);
  });

  it('delivers a write made on node B to a subscriber on node A, and the other way round', async () => {
    const onA = live(a.url, acme.token).subscribe(METRIC_UPDATED, { metricKey: 'signups' });
    const fromB = live(b.url, acme.token).subscribe(METRIC_UPDATED, { metricKey: 'signups' });
    await subscribedInRedis(REDIS_URL, acme, METRIC_RECORDED, 2);
    await onB.data(RECORD, point(1));
    expect((await onA.next(1))[0].metricUpdated.value).toBe(1);
    expect((await fromB.next(1))[0].metricUpdated.value).toBe(1); // B's own subscriber, delivered locally
    await acme.client.data(RECORD, point(2)); // a write on node A
    expect((await fromB.next(2))[1].metricUpdated.value).toBe(2);
    expect((await onA.next(2))[1].metricUpdated.value).toBe(2);
    // The last listener to leave a node unsubscribes it from the channel.
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    for (const topic of [METRIC_RECORDED]) {
      await waitUntil(async () => (await redisSubscribers(REDIS_URL, channelOf(acme.organizationId, topic))) === 0, `no subscriber left on ${topic}`);
    }
  });

  it('keeps other tenants’ events off a subscriber across nodes', async () => {
    const globex = await signUp(a, 'Globex');
    await globex.client.data(DEFINE, { input: { key: 'signups', name: 'Sign-ups', aggregation: 'SUM' } });
    const sub = live(a.url, globex.token).subscribe(METRIC_UPDATED);
    await subscribedInRedis(REDIS_URL, globex, METRIC_RECORDED, 1);
    await onB.data(RECORD, point(3)); // acme's, on B
    await new GraphQLClient(`${b.url}/graphql`, globex.token).data(RECORD, point(4));
    expect((await sub.next(1))[0].metricUpdated.value).toBe(4);
  });
});

describe('losing Redis', () => {
  let redis: Child;
  let a: TestServer;
  let b: { child: Child; url: string };
  let acme: Tenant;
  let port: number;
  let doomedUrl: string;

  beforeAll(async () => {
    // A Redis of this file's own (redis-server --port N --save ''), to kill and start again.
    port = await freePort();
    doomedUrl = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    a = await startTestServer({ redisUrl: doomedUrl });
    b = await startNode({ DATABASE_URL: a.db.url, REDIS_URL: doomedUrl, SESSION_SECRET });
    acme = await signUp(a, 'Acme');
    await acme.client.data(DEFINE, { input: { key: 'signups', name: 'Sign-ups', aggregation: 'SUM' } });
  }, 90_000);
  afterAll(async () => {
    await b?.child.stop();
    await a?.close();
    await redis?.stop('SIGKILL');
  });

  it('keeps queries and mutations working while Redis is away, and resumes subscriptions when it is back', async () => {
    const onB = new GraphQLClient(`${b.url}/graphql`, acme.token);
    const sub = live(a.url, acme.token).subscribe(METRIC_UPDATED, { metricKey: 'signups' });
    await waitUntil(async () => (await openSubscriptions(a.server)) === 1, 'the subscription on A');
    await subscribedInRedis(doomedUrl, acme, METRIC_RECORDED, 1);
    await onB.data(RECORD, point(1));
    expect((await sub.next(1))[0].metricUpdated.value).toBe(1);

    const outputBefore = b.child.output().length;
    await redis.stop('SIGKILL');
    // B notices, and keeps answering: the write commits, its event is lost for other nodes (logged).
    await b.child.waitFor(/Redis (publisher|subscriber) connection error/, 10_000, outputBefore);
    expect((await onB.data(RECORD, point(2))).recordMetrics.accepted).toBe(1);
    await b.child.waitFor(/could not publish a live event to Redis/, 10_000, outputBefore);
    expect((await onB.data(`{ viewer { organization { id } } }`)).viewer.organization.id).toBe(acme.organizationId);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    // A keeps serving its own subscribers its own writes, without Redis.
    expect((await acme.client.data(RECORD, point(3))).recordMetrics.accepted).toBe(1);
    expect((await sub.next(2))[1].metricUpdated.value).toBe(3);

    redis = await startRedis(port);
    // ioredis reconnects both nodes' connections and resubscribes A's channels by itself.
    await subscribedInRedis(doomedUrl, acme, METRIC_RECORDED, 1);
    await b.child.waitFor(/Redis publisher connection is back/, 20_000, outputBefore);
    await onB.data(RECORD, point(4));
    expect((await sub.next(3))[2].metricUpdated.value).toBe(4);
    expect(sub.data.map((d) => d.metricUpdated.value)).toEqual([1, 3, 4]);
    expect(b.child.process.exitCode).toBeNull();
  }, 60_000);
});
