import { startNode, type Child } from '../live/support/processes';
import { defineMetric, record } from '../metrics/metric-builders';
import { signUp } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { GraphQLClient } from '../support/graphql-client';
import type { TestServer } from '../support/test-server';
import { createWebhook, deliveries, eventually, Receiver } from './webhook-support';

const SESSION_SECRET = 'test-secret-that-is-long-enough-for-hs256';

describe('webhooks from two server processes on one database', () => {
  let db: TestDatabase;
  let receiver: Receiver;
  const children: Child[] = [];
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await receiver?.close();
    await db?.drop();
  });

  it('deliver each event, and each attempt of it, exactly once', async () => {
    db = await createTestDatabase();
    // Retries after 0.5 s instead of 5 s (the schedule's unit is 100 ms here).
    const env = { DATABASE_URL: db.url, SESSION_SECRET, WEBHOOK_RETRY_UNIT_MS: '100', LOG_LEVEL: 'warn' };
    const [a, b] = await Promise.all([startNode(env), startNode(env)]);
    children.push(a.child, b.child);
    const onA = { client: (token?: string) => new GraphQLClient(`${a.url}/graphql`, token) } as unknown as TestServer;
    const acme = await signUp(onA, 'Acme');
    const clientB = new GraphQLClient(`${b.url}/graphql`, acme.token);
    await defineMetric(acme.client, 'signups');
    receiver = await new Receiver().start();
    const hook = await createWebhook(acme.client, `${receiver.url}/both`, ['METRICS_RECORDED']);
    receiver.secrets = [hook.secret];
    // The first attempt of every delivery fails; the second succeeds.
    const seen = new Set<string>();
    receiver.answer = (r) => {
      const id = String(r.headers['webhook-id']);
      if (seen.has(id)) return 200;
      seen.add(id);
      return 500;
    };
    const calls = 20;
    for (let i = 0; i < calls; i++) {
      await record(i % 2 ? clientB : acme.client, [{ metricKey: 'signups', value: i, at: '2026-01-10T00:00:00Z' }]);
    }
    const done = await eventually(
      () => deliveries(acme.client, hook.id),
      (ds) => ds.length === calls && ds.every((d) => d.status === 'SUCCEEDED'),
      'every delivery to succeed',
      90_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(done.every((d) => d.attempts === 2)).toBe(true);
    expect(receiver.received).toHaveLength(2 * calls);
    for (const d of done) expect(receiver.of(d.id).map((r) => r.status)).toEqual([500, 200]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const values = receiver.received.filter((r) => r.status === 200).map((r) => r.json.data.points[0].value);
    expect(values.sort((x, y) => x - y)).toEqual(Array.from({ length: calls }, (_, i) => i));
  }, 180_000);
});
