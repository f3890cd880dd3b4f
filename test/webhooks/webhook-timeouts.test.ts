import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineMetric, record } from '../metrics/metric-builders';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, postImport } from '../imports/import-support';
import { createWebhook, deliveries, eventually } from './webhook-support';

const AT = '2026-01-10T00:00:00.000Z';

/** An endpoint whose every request is handed to `handle` (which may never answer). */
async function endpoint(handle: (req: IncomingMessage, res: ServerResponse, index: number) => void): Promise<{ server: Server; url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    handle(req, res, requests.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function closeEndpoint(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describe('webhook attempts that get no answer in time', () => {
  let t: TestServer;
  let acme: Tenant;

  beforeAll(async () => {
    // The 10 s timeout as 1 s (WEBHOOK_TIMEOUT_MS, for tests only), retries 5 ms apart.
    t = await startTestServer({ webhookTimeoutMs: 1000, webhookRetryUnitMs: 1 }, { jobs: { pollIntervalMs: 100 } });
    acme = await signUp(t, 'Acme');
    await defineMetric(acme.client, 'signups');
  });
  afterAll(() => t?.close());

  it('a receiver that hangs: the attempt fails with a timeout error, and the next attempt is made', async () => {
    // The first request is never answered; the second is, once the test has seen the first fail.
    let seen!: () => void;
    const failureSeen = new Promise<void>((r) => (seen = r));
    const hanging = await endpoint((_req, res, i) => {
      if (i > 0) void failureSeen.then(() => res.writeHead(204).end());
    });
    try {
      const hook = await createWebhook(acme.client, `${hanging.url}/slow`, ['METRICS_RECORDED']);
      await record(acme.client, [{ metricKey: 'signups', value: 1, at: AT }]);
      const [failed] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.lastError != null, 'the timed-out attempt');
      // Logged as failed and still PENDING (the second attempt may have begun: it waits for `seen`).
      expect(failed).toMatchObject({ status: 'PENDING', lastStatusCode: null, lastError: 'no answer within 1 s' });
      seen();
      const [done] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'SUCCEEDED', 'the retry');
      expect(done).toMatchObject({ attempts: 2, lastStatusCode: 204, lastError: null });
      expect(hanging.requests.map((r) => r.headers['webhook-id'])).toEqual([done.id, done.id]);
      await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
    } finally {
      await closeEndpoint(hanging.server);
    }
  });

  it('an answer that sends its status, then trickles its body past the timeout, fails the attempt too', async () => {
    const trickling = await endpoint((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const hook = await createWebhook(acme.client, `${trickling.url}/trickle`, ['METRICS_RECORDED']);
      await record(acme.client, [{ metricKey: 'signups', value: 2, at: AT }]);
      const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.lastError != null, 'the timed-out attempt');
      expect(d.lastError).toBe('no answer within 1 s');
      expect(d.status).not.toBe('SUCCEEDED');
      await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
    } finally {
      await closeEndpoint(trickling.server);
    }
  });

  it('a huge 2xx answer counts as delivered, and is not read to its end', async () => {
    let sent = 0;
    let cut = false;
    const huge = await endpoint((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const more = () => {
        // 64 MiB at most; the sender stops reading after 64 KiB and closes the connection.
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (cut = !res.writableFinished));
      more();
    });
    try {
      const hook = await createWebhook(acme.client, `${huge.url}/huge`, ['METRICS_RECORDED']);
      await record(acme.client, [{ metricKey: 'signups', value: 3, at: AT }]);
      const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'SUCCEEDED' || ds[0]?.lastError != null, 'the delivery');
      expect(d).toMatchObject({ status: 'SUCCEEDED', attempts: 1, lastStatusCode: 200, lastError: null });
      await eventually(async () => cut, (c) => c, 'the sender to close the connection');
      expect(sent).toBeLessThan(64 * 1024 * 1024);
      await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
    } finally {
      await closeEndpoint(huge.server);
    }
  });
});

describe('webhook attempts beside imports', () => {
  let t: TestServer;
  let acme: Tenant;

  beforeAll(async () => {
    // Attempts wait a full minute here, so that they are surely still waiting when the import ends.
    t = await startTestServer({ webhookTimeoutMs: 60_000 }, { jobs: { pollIntervalMs: 100 } });
    acme = await signUp(t, 'Acme');
    await defineMetric(acme.client, 'signups');
  });
  afterAll(() => t?.close());

  it('an import runs while more attempts than the shared workers wait on endpoints that never answer', async () => {
    const hanging = await endpoint(() => undefined);
    try {
      // Four waiting attempts: more than the two workers imports run on.
      for (let i = 0; i < 4; i++) await createWebhook(acme.client, `${hanging.url}/hang/${i}`, ['METRICS_RECORDED']);
      await record(acme.client, [{ metricKey: 'signups', value: 1, at: AT }]);
      await eventually(async () => hanging.requests.length, (n) => n === 4, 'four waiting attempts');
      const key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
      const line = JSON.stringify({ metricKey: 'signups', value: 2, at: AT });
      const job = await finished(acme.client, (await postImport(t.url, 'kind=metrics', 'application/x-ndjson', line, key)).json.id);
      expect(job.status).toBe('SUCCEEDED');
      // The import did not wait for any of them: all four are still waiting for their answer.
      expect(hanging.requests.slice(0, 4).filter((r) => !r.socket.destroyed)).toHaveLength(4);
      const { webhooks } = await acme.client.data(`{ webhooks { id } }`);
      for (const w of webhooks) {
        // The oldest: recordMetrics' (the import's own metrics.recorded came after).
        expect((await deliveries(acme.client, w.id)).at(-1)).toMatchObject({ attempts: 1, lastError: null });
      }
    } finally {
      await closeEndpoint(hanging.server);
    }
  }, 90_000);
});
