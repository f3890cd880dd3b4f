// The server first: it loads reflect-metadata before any decorated class, as main.ts does.
import { startTestServer, type TestServer } from '../support/test-server';
import { signUp, type Tenant } from '../support/builders';
import { waitUntil } from './support/live';

let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
});
afterAll(() => t.close());

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('a long fan-out', () => {
  it('lets a request through while it is under way, and still reaches every listener in order', async () => {
    const LISTENERS = 200;
    const EVENTS = 10; // 2,000 listener calls of 1 ms each: a 2-second fan-out
    const heard = Array.from({ length: LISTENERS }, () => [] as number[]);
    let calls = 0;
    const unsubscribe = heard.map((list) =>
      t.server.app.pubsub.subscribe(acme.organizationId, 'busy', (payload) => {
        busy(1);
        list.push((payload as { i: number }).i);
        calls++;
      }),
    );
    for (let i = 0; i < EVENTS; i++) await t.server.app.pubsub.publish(acme.organizationId, 'busy', { i });
    const answer = await acme.client.data<{ viewer: { organization: { id: string } } }>(`{ viewer { organization { id } } }`);
    const callsWhenAnswered = calls;
    expect(answer.viewer.organization.id).toBe(acme.organizationId);
    expect(callsWhenAnswered).toBeLessThan(LISTENERS * EVENTS); // answered before the fan-out ended
    await waitUntil(() => calls === LISTENERS * EVENTS, 'every listener to hear every event', 30_000);
    for (const list of heard) expect(list).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    unsubscribe.forEach((u) => u());
  }, 60_000);
});
