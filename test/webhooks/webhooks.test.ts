import { Webhook } from 'standardwebhooks';
import { createCommunity, createRelationship, UNKNOWN_ID } from '../relationships/graph-builders';
import { defineMetric, record } from '../metrics/metric-builders';
import { GraphQLClient } from '../support/graphql-client';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, postImport } from '../imports/import-support';
import { createWebhook, deliveries, eventually, Receiver } from './webhook-support';

// The retry schedule in 1/50 ms units: 0.1 ms, 6 ms, 36 ms, 144 ms, 360 ms, 720 ms, 720 ms.
const FAST_RETRIES = { webhookRetryUnitMs: 0.02 };
const AT = '2026-01-10T00:00:00.000Z';

describe('webhooks', () => {
  let t: TestServer;
  let acme: Tenant;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestServer(FAST_RETRIES, { jobs: { pollIntervalMs: 100 } });
    receiver = await new Receiver().start();
    acme = await signUp(t, 'Acme');
    await defineMetric(acme.client, 'signups');
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answer = () => 200;
  });

  it('delivers metrics.recorded once per recordMetrics call, signed, with a stable webhook-id, and logs it', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/hooks/metrics`, ['METRICS_RECORDED']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.secrets = [hook.secret];
    await record(acme.client, [1, 2, 3].map((v, i) => ({ metricKey: 'signups', value: v, at: `2026-01-0${i + 1}T00:00:00Z` })));
    const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'SUCCEEDED', 'the delivery');
    expect(d).toMatchObject({ webhookId: hook.id, event: 'METRICS_RECORDED', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(d.deliveredAt).not.toBeNull();
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got.verified).toBe(true);
    expect(got.path).toBe('/hooks/metrics');
    expect(got.headers['webhook-id']).toBe(d.id);
    expect(got.json.type).toBe('metrics.recorded');
    expect(got.json.timestamp).toBe(d.createdAt);
    expect(got.json.data.points).toEqual([
      { metricKey: 'signups', communityId: null, at: '2026-01-01T00:00:00.000Z', value: 1 },
      { metricKey: 'signups', communityId: null, at: '2026-01-02T00:00:00.000Z', value: 2 },
      { metricKey: 'signups', communityId: null, at: '2026-01-03T00:00:00.000Z', value: 3 },
    ]);
    // The secret is in the createWebhook answer only: not in the list, not in the audit log.
    const listed = await acme.client.data(`{ webhooks { id url events enabled description createdAt } }`);
    expect(JSON.stringify(listed)).not.toContain(hook.secret);
    const audit = await t.ds.query(`SELECT row_to_json(a)::text AS row FROM audit_events a WHERE organization_id = $1`, [acme.organizationId]);
    expect(audit.map((a: { row: string }) => a.row).join('\n')).toContain('createWebhook');
    expect(audit.map((a: { row: string }) => a.row).join('\n')).not.toContain(hook.secret.slice(6, 20));
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('a rolled-back mutation sends nothing', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/rollback`, ['METRICS_RECORDED']);
    const res = await acme.client.request(`mutation ($ok: [MetricPointInput!]!, $bad: [MetricPointInput!]!) {
      a: recordMetrics(points: $ok) { accepted } b: recordMetrics(points: $bad) { accepted } }`, {
      ok: [{ metricKey: 'signups', value: 1, at: AT }],
      bad: [{ metricKey: 'no_such_metric', value: 1, at: AT }],
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // A later committed call is delivered: by then the rolled-back one would have been too.
    await record(acme.client, [{ metricKey: 'signups', value: 7, at: AT }]);
    const ds = await eventually(() => deliveries(acme.client, hook.id), (d) => d[0]?.status === 'SUCCEEDED', 'the committed delivery');
    await new Promise((r) => setTimeout(r, 500));
    expect(ds).toHaveLength(1);
    expect(receiver.received.map((r) => r.json.data.points.map((p: { value: number }) => p.value))).toEqual([[7]]);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1`, [hook.id]);
    expect(n).toBe(1);
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('retries a receiver that fails first, with the same webhook-id and body, each attempt signed', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/flaky`, ['METRICS_RECORDED']);
    receiver.secrets = [hook.secret];
    receiver.answer = (_r, i) => (i < 2 ? 503 : 204);
    await record(acme.client, [{ metricKey: 'signups', value: 5, at: AT }]);
    const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'SUCCEEDED', 'the retried delivery');
    expect(d).toMatchObject({ attempts: 3, lastStatusCode: 204, lastError: null });
    expect(receiver.received.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([d.id]));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('gives up after the eighth attempt (FAILED), follows no redirect, and redelivery keeps the webhook-id', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/moved`, ['METRICS_RECORDED']);
    receiver.secrets = [hook.secret];
    receiver.answer = () => 302;
    await record(acme.client, [{ metricKey: 'signups', value: 6, at: AT }]);
    const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'FAILED', 'the failed delivery', 60_000);
    expect(d).toMatchObject({ attempts: 8, lastStatusCode: 302, lastError: 'the endpoint answered HTTP 302', nextAttemptAt: null });
    expect(receiver.received.map((r) => r.path)).toEqual(Array(8).fill('/moved'));
    expect((await deliveries(acme.client, hook.id, 'PENDING')).length).toBe(0);

    receiver.answer = () => 200;
    const again = await acme.client.data(`mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { id status attempts } }`, { id: d.id });
    expect(again.redeliverWebhook).toMatchObject({ id: d.id, status: 'PENDING', attempts: 8 });
    const [done] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'SUCCEEDED', 'the redelivery');
    expect(done.attempts).toBe(9);
    const sent = receiver.of(d.id);
    expect(sent).toHaveLength(9);
    expect(sent.at(-1)!.verified).toBe(true);
    expect(sent.at(-1)!.body).toBe(sent[0].body);
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  }, 90_000);

  it('after rotation, signs with the new secret and, for a while, the old one too', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/rotate`, ['METRICS_RECORDED']);
    const { rotateWebhookSecret: rotated } = await acme.client.data(
      `mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { id } } }`,
      { id: hook.id },
    );
    expect(rotated.webhook.id).toBe(hook.id);
    expect(rotated.secret).not.toBe(hook.secret);
    receiver.secrets = [rotated.secret];
    await record(acme.client, [{ metricKey: 'signups', value: 8, at: AT }]);
    await eventually(async () => receiver.received.length, (n) => n === 1, 'the delivery');
    const [got] = receiver.received;
    expect(got.verified).toBe(true);
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [hook.secret, rotated.secret]) {
      expect(() => new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).not.toThrow();
    }
    // Once the old secret's 24 hours are over, only the new one signs.
    await t.ds.query(`UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [hook.id]);
    await record(acme.client, [{ metricKey: 'signups', value: 9, at: AT }]);
    await eventually(async () => receiver.received.length, (n) => n === 2, 'the second delivery');
    const second = receiver.received[1];
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(hook.secret).verify(second.body, second.headers as Record<string, string>)).toThrow();
    expect(second.verified).toBe(true);
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('sends goal.reached (once), relationship.stage_changed, roi_model.updated and import.finished', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/all`, ['GOAL_REACHED', 'RELATIONSHIP_STAGE_CHANGED', 'ROI_MODEL_UPDATED', 'IMPORT_FINISHED']);
    receiver.secrets = [hook.secret];
    await defineMetric(acme.client, 'demos');
    const { createGoal: goal } = await acme.client.data(`mutation ($input: CreateGoalInput!) { createGoal(input: $input) { id } }`, {
      input: { name: 'Leads', metricKey: 'demos', target: 10, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' },
    });
    await record(acme.client, [{ metricKey: 'demos', value: 4, at: '2026-01-05T00:00:00Z' }]);
    await record(acme.client, [{ metricKey: 'demos', value: 7, at: '2026-01-06T00:00:00Z' }]);
    await record(acme.client, [{ metricKey: 'demos', value: 1, at: '2026-01-07T00:00:00Z' }]);

    const community = await createCommunity(acme.client);
    const relationship = await createRelationship(acme.client, community);
    await acme.client.data(`mutation ($id: ID!) { updateRelationship(id: $id, input: {stage: ENGAGED}) { stage } }`, { id: relationship });
    const { createRoiModel: model } = await acme.client.data(`mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`, {
      input: { name: 'Demos', returnFormula: 'demos * 10', investmentFormula: '1', parameters: [] },
    });
    await acme.client.data(`mutation ($id: ID!) { updateRoiModel(id: $id, input: {returnFormula: "demos * 20"}) { version } }`, { id: model.id });
    const key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
    const lines = [1, 2].map((v) => JSON.stringify({ metricKey: 'demos', value: v, at: `2026-01-2${v}T00:00:00Z` })).join('\n');
    const job = (await postImport(t.url, 'kind=metrics', 'application/x-ndjson', lines, key)).json.id;
    await finished(acme.client, job);

    const types = ['goal.reached', 'relationship.stage_changed', 'roi_model.updated', 'import.finished'];
    await eventually(async () => receiver.received.map((r) => r.json.type).sort(), (ts) => ts.length >= 4, 'four deliveries');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.map((r) => r.json.type).sort()).toEqual([...types].sort());
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const byType = new Map(receiver.received.map((r) => [r.json.type, r.json.data]));
    expect(byType.get('goal.reached')).toMatchObject({ goalId: goal.id, metricKey: 'demos', target: 10, current: 11 });
    expect(byType.get('relationship.stage_changed')).toMatchObject({ relationshipId: relationship, communityId: community, from: 'CONNECTED', to: 'ENGAGED' });
    expect(byType.get('roi_model.updated')).toMatchObject({ modelId: model.id, version: 2 });
    expect(byType.get('import.finished').importJob).toMatchObject({ id: job, status: 'SUCCEEDED', accepted: 2 });
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('sends goal.reached for goals on built-in metrics: relationships, stages and conversations, by mutation and by import', async () => {
    const other = await signUp(t, 'Builtins');
    const hook = await createWebhook(other.client, `${receiver.url}/builtin`, ['GOAL_REACHED']);
    receiver.secrets = [hook.secret];
    const now = Date.now();
    const window = { startsAt: new Date(now - 86_400_000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString() };
    const goal = async (metricKey: string, target: number) =>
      (await other.client.data(`mutation ($input: CreateGoalInput!) { createGoal(input: $input) { id } }`, { input: { name: metricKey, metricKey, target, ...window } })).createGoal.id;
    const goals = { relationships: await goal('relationships', 2), customers: await goal('customers', 1), conversations: await goal('conversations', 2) };
    const community = await createCommunity(other.client);
    const ada = await createRelationship(other.client, community);
    await other.client.data(`mutation ($id: ID!) { updateRelationship(id: $id, input: {stage: CUSTOMER}) { stage } }`, { id: ada });
    // The second relationship comes by import; so do the conversations.
    const key = (await apiKey(other, ['INGEST', 'READ'])).secret;
    const bob = JSON.stringify({ externalId: 'bob', name: 'Bob', communityId: community });
    expect((await finished(other.client, (await postImport(t.url, 'kind=relationships', 'application/x-ndjson', bob, key)).json.id)).status).toBe('SUCCEEDED');
    const talks = [1, 2].map((i) => JSON.stringify({ relationshipExternalId: 'bob', occurredAt: new Date(now - i * 60_000).toISOString() })).join('\n');
    expect((await finished(other.client, (await postImport(t.url, 'kind=conversations', 'application/x-ndjson', talks, key)).json.id)).status).toBe('SUCCEEDED');
    await eventually(async () => receiver.received.length, (n) => n >= 3, 'three goal.reached deliveries');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.every((r) => r.verified && r.json.type === 'goal.reached')).toBe(true);
    const reached = new Map(receiver.received.map((r) => [r.json.data.metricKey, r.json.data]));
    expect(receiver.received).toHaveLength(3);
    expect(reached.get('relationships')).toMatchObject({ goalId: goals.relationships, target: 2, current: 2 });
    expect(reached.get('customers')).toMatchObject({ goalId: goals.customers, target: 1, current: 1 });
    expect(reached.get('conversations')).toMatchObject({ goalId: goals.conversations, target: 2, current: 2 });
  });

  it('sends relationship.stage_changed for stage changes by import and by merge, not for new relationships', async () => {
    const other = await signUp(t, 'Stages');
    const hook = await createWebhook(other.client, `${receiver.url}/stages`, ['RELATIONSHIP_STAGE_CHANGED']);
    receiver.secrets = [hook.secret];
    const community = await createCommunity(other.client);
    const key = (await apiKey(other, ['INGEST', 'READ'])).secret;
    const load = async (rows: object[]) => {
      const body = rows.map((r) => JSON.stringify({ communityId: community, ...r })).join('\n');
      expect((await finished(other.client, (await postImport(t.url, 'kind=relationships', 'application/x-ndjson', body, key)).json.id)).status).toBe('SUCCEEDED');
    };
    // New relationships (whatever their stage) change no stage; the second file moves two of them on.
    await load([{ externalId: 'a', name: 'A' }, { externalId: 'b', name: 'B', stage: 'LEAD' }, { externalId: 'c', name: 'C' }]);
    await load([{ externalId: 'a', name: 'A', stage: 'ENGAGED' }, { externalId: 'b', name: 'B', stage: 'CUSTOMER' }, { externalId: 'c', name: 'C again' }]);
    await eventually(async () => receiver.received.length, (n) => n >= 2, 'two stage changes');
    const ids = new Map<string, string>(
      (await other.client.data(`{ relationships(first: 10) { edges { node { id externalId } } } }`)).relationships.edges.map((e: any) => [e.node.externalId, e.node.id]),
    );
    // A merge that gives the target a source's later stage changes the target's stage.
    await other.client.data(`mutation ($t: ID!, $s: [ID!]!) { mergeRelationships(targetId: $t, sourceIds: $s) { stage } }`, { t: ids.get('c'), s: [ids.get('b')] });
    await eventually(async () => receiver.received.length, (n) => n >= 3, 'the merge stage change');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.every((r) => r.verified && r.json.type === 'relationship.stage_changed')).toBe(true);
    const got = receiver.received.map((r) => r.json.data).map(({ relationshipId, communityId, from, to }) => ({ relationshipId, communityId, from, to }));
    expect(got).toHaveLength(3);
    expect(got).toEqual(expect.arrayContaining([
      { relationshipId: ids.get('a'), communityId: community, from: 'CONNECTED', to: 'ENGAGED' },
      { relationshipId: ids.get('b'), communityId: community, from: 'LEAD', to: 'CUSTOMER' },
    ]));
    expect(got.at(-1)).toEqual({ relationshipId: ids.get('c'), communityId: community, from: 'CONNECTED', to: 'CUSTOMER' });
  });

  it('sends metrics.recorded once for a whole import', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/import`, ['METRICS_RECORDED']);
    receiver.secrets = [hook.secret];
    const key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ metricKey: 'signups', value: 1, at: new Date(Date.parse('2026-03-01T00:00:00Z') + i * 3600_000).toISOString() })).join('\n');
    const job = await finished(acme.client, (await postImport(t.url, 'kind=metrics', 'application/x-ndjson', lines, key)).json.id);
    expect(job.status).toBe('SUCCEEDED');
    await eventually(async () => receiver.received.length, (n) => n >= 1, 'the import delivery');
    // The bulk write committed its rows, the job's status and the import's events in one
    // transaction (one xmin): no crash in between can keep the rows and lose the events.
    const rows = await t.ds.query(
      `SELECT e.type, e.xmin::text = j.xmin::text AS same FROM import_jobs j JOIN webhook_events e ON e.organization_id = j.organization_id
        WHERE j.id = $1 AND e.created_at >= j.started_at ORDER BY e.type`,
      [job.id],
    );
    expect(rows).toEqual([{ type: 'metrics.recorded', same: true }]);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].json.type).toBe('metrics.recorded');
    expect(receiver.received[0].json.data.points.length).toBeGreaterThan(0);
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('disables a webhook that failed every delivery for 24 hours, and the audit log says so', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/down`, ['METRICS_RECORDED']);
    receiver.answer = () => 500;
    // As if its deliveries had failed since yesterday.
    await t.ds.query(`UPDATE webhooks SET failing_since = now() - interval '25 hours' WHERE id = $1`, [hook.id]);
    await record(acme.client, [{ metricKey: 'signups', value: 1, at: AT }]);
    const listed = await eventually(
      async () => (await acme.client.data(`{ webhooks { id enabled } }`)).webhooks.find((w: { id: string }) => w.id === hook.id),
      (w) => w.enabled === false,
      'the webhook to be disabled',
    );
    expect(listed.enabled).toBe(false);
    const { auditLog } = await acme.client.data(`{ auditLog(filter: {action: "webhookDisabled"}) { edges { node { action targetId actor { kind id } } } } }`);
    expect(auditLog.edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      action: 'webhookDisabled',
      targetId: hook.id,
      actor: { kind: 'SYSTEM', id: '00000000-0000-0000-0000-000000000000' },
    });
    const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds[0]?.status === 'FAILED', 'the delivery to end');
    expect(d.lastError).toBe('the webhook is disabled');
    const refused = await acme.client.error(`mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: d.id });
    expect(refused.extensions?.code).toBe('BAD_USER_INPUT');
    const enabled = await acme.client.data(`mutation ($id: ID!) { updateWebhook(id: $id, input: {enabled: true}) { enabled } }`, { id: hook.id });
    expect(enabled.updateWebhook.enabled).toBe(true);
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });

  it('checks input, and another organization’s webhook or delivery behaves exactly like an unknown one', async () => {
    const hook = await createWebhook(acme.client, `${receiver.url}/mine`, ['METRICS_RECORDED']);
    await record(acme.client, [{ metricKey: 'signups', value: 2, at: AT }]);
    const [d] = await eventually(() => deliveries(acme.client, hook.id), (ds) => ds.length === 1, 'a delivery');
    const other = await signUp(t, 'Other');
    await defineMetric(other.client, 'signups');
    await record(other.client, [{ metricKey: 'signups', value: 1, at: AT }]);
    expect((await other.client.data(`{ webhooks { id } }`)).webhooks).toEqual([]);
    const calls: Array<[string, Record<string, unknown>]> = [
      [`mutation ($id: ID!) { updateWebhook(id: $id, input: {description: "x"}) { id } }`, {}],
      [`mutation ($id: ID!) { deleteWebhook(id: $id) }`, {}],
      [`mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, {}],
      [`query ($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount } }`, {}],
    ];
    for (const [query] of calls) {
      const foreign = await other.client.error(query, { id: hook.id });
      const unknown = await other.client.error(query, { id: UNKNOWN_ID });
      expect(foreign.extensions?.code).toBe('NOT_FOUND');
      expect(foreign.message).toBe(unknown.message.replace(UNKNOWN_ID, hook.id));
    }
    const redeliver = `mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`;
    expect((await other.client.error(redeliver, { id: d.id })).extensions?.code).toBe('NOT_FOUND');
    expect((await other.client.error(redeliver, { id: 'nope' })).extensions?.code).toBe('NOT_FOUND');
    // Other's points went to nobody: Acme's webhook has its one delivery.
    expect(await deliveries(acme.client, hook.id)).toHaveLength(1);

    const reader = (await apiKey(acme, ['READ'])).secret;
    const readOnly = new GraphQLClient(acme.client.endpoint).withHeaders({ 'x-api-key': reader });
    expect((await readOnly.error(`{ webhooks { id } }`)).extensions?.code).toBe('FORBIDDEN');

    const bad = async (input: Record<string, unknown>) => (await acme.client.error(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`, { input })).extensions;
    expect(await bad({ url: 'not a url', events: ['METRICS_RECORDED'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(await bad({ url: 'ftp://example.com/', events: ['METRICS_RECORDED'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(await bad({ url: `${receiver.url}/x`, events: [] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
    await acme.client.data(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
  });
});

describe('webhooks where private networks are not allowed (production)', () => {
  let t: TestServer;
  let acme: Tenant;
  beforeAll(async () => {
    t = await startTestServer({ webhookAllowPrivateNetworks: false }, { jobs: false });
    acme = await signUp(t, 'Acme');
  });
  afterAll(() => t?.close());

  it.each([
    ['http://example.com/hook', /https/],
    ['https://127.0.0.1/hook', /127\.0\.0\.1/],
    ['https://localhost/hook', /loopback/],
    ['https://[::1]/hook', /::1/],
    ['https://[::ffff:127.0.0.1]/hook', /loopback/],
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['https://10.0.0.8/hook', /10\.0\.0\.8/],
    ['https://192.168.1.1/hook', /192\.168\.1\.1/],
    ['https://[fd00:ec2::254]/', /fd00:ec2::254/],
    ['https://0.0.0.0/', /0\.0\.0\.0/],
  ])('refuses %s', async (url, message) => {
    const error = await acme.client.error(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`, {
      input: { url, events: ['METRICS_RECORDED'] },
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(error.message).toMatch(message);
    const { webhooks } = await acme.client.data(`{ webhooks { id } }`);
    expect(webhooks).toEqual([]);
  });
});
