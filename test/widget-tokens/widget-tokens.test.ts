import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity } from '../relationships/graph-builders';
import { DEFINE, LiveClient, RECORD, waitUntil } from '../live/support/live';

const PAGE = 'https://www.customer.example';
const OTHER_PAGE = 'https://evil.example';
const CREATE = `mutation ($input: CreateWidgetTokenInput!) {
  createWidgetToken(input: $input) { token widgetToken { id name prefix metricKeys roiModelIds allowedOrigins createdAt expiresAt revokedAt } }
}`;
const REVOKE = `mutation ($id: ID!) { revokeWidgetToken(id: $id) { id revokedAt } }`;
const LIST = `{ widgetTokens { id name prefix metricKeys roiModelIds allowedOrigins createdAt expiresAt revokedAt } }`;
const HOUR = 3600_000;
const from = new Date(Date.now() - 48 * HOUR).toISOString();
const to = new Date(Date.now() + HOUR).toISOString();

let t: TestServer;
let acme: Tenant;
let globex: Tenant;
let modelId: string;
let otherModelId: string;
let globexModelId: string;
let communityId: string;
let token: string;
let tokenId: string;

async function createModel(tenant: Tenant, name: string): Promise<string> {
  const data = await tenant.client.data(`mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`, {
    input: { name, returnFormula: 'leads_won * 10', investmentFormula: 'budget', parameters: [{ name: 'budget', value: 100 }] },
  });
  return data.createRoiModel.id;
}

/** A client that sends the token as a page on `origin` would (no Origin header when null). */
function page(secret = token, origin: string | null = PAGE) {
  return t.client(secret).withHeaders(origin ? { origin } : {});
}

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
  for (const tenant of [acme, globex]) {
    await tenant.client.data(DEFINE, { input: { key: 'leads_won', name: 'Leads won', aggregation: 'SUM' } });
  }
  await acme.client.data(DEFINE, { input: { key: 'revenue', name: 'Revenue', unit: 'USD', aggregation: 'SUM' } });
  modelId = await createModel(acme, 'Lead value');
  otherModelId = await createModel(acme, 'Secret model');
  globexModelId = await createModel(globex, 'Globex model');
  communityId = await createCommunity(acme.client, { name: 'Rust forum' });
  await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 4, at: new Date(Date.now() - HOUR).toISOString(), communityId }] });
  const created = await acme.client.data(CREATE, {
    input: { name: 'Home page', metricKeys: ['leads_won'], roiModelIds: [modelId], allowedOrigins: [PAGE, 'http://127.0.0.1:8080'] },
  });
  token = created.createWidgetToken.token;
  tokenId = created.createWidgetToken.widgetToken.id;
}, 60_000);
afterAll(() => t?.close());

describe('creating, listing and revoking widget tokens', () => {
  it('shows the token once, stores only a hash, and lists the record', async () => {
    expect(token).toMatch(/^rrw_[A-Za-z0-9_-]{43}$/);
    const { widgetTokens } = await acme.client.data(LIST);
    expect(widgetTokens).toEqual([
      expect.objectContaining({ id: tokenId, name: 'Home page', prefix: token.slice(0, 12), metricKeys: ['leads_won'], roiModelIds: [modelId], allowedOrigins: [PAGE, 'http://127.0.0.1:8080'], revokedAt: null }),
    ]);
    const rows = await t.ds.query(`SELECT secret_hash FROM widget_tokens WHERE id = $1`, [tokenId]);
    expect(rows[0].secret_hash.toString('utf8')).not.toContain(token);
    expect(JSON.stringify(await t.ds.query(`SELECT * FROM widget_tokens`))).not.toContain(token);
  });

  it('is for ADMIN only', async () => {
    const read = await apiKey(acme, ['READ', 'WRITE', 'INGEST']);
    for (const op of [LIST, `mutation { revokeWidgetToken(id: "${tokenId}") { id } }`]) {
      expect((await t.client(read.secret).error(op)).extensions?.code).toBe('FORBIDDEN');
    }
    const error = await t.client(read.secret).error(CREATE, { input: { name: 'x', metricKeys: ['leads_won'], allowedOrigins: [PAGE] } });
    expect(error.extensions?.code).toBe('FORBIDDEN');
  });

  it.each([
    [{ name: ' ', metricKeys: ['leads_won'], allowedOrigins: [PAGE] }, 'name'],
    [{ name: 'x', allowedOrigins: [PAGE] }, 'metricKeys'],
    [{ name: 'x', metricKeys: ['nope'], allowedOrigins: [PAGE] }, 'metricKeys'],
    [{ name: 'x', metricKeys: ['leads_won'], allowedOrigins: [] }, 'allowedOrigins'],
    [{ name: 'x', metricKeys: ['leads_won'], allowedOrigins: ['*'] }, 'allowedOrigins'],
    [{ name: 'x', metricKeys: ['leads_won'], allowedOrigins: ['https://example.com/page'] }, 'allowedOrigins'],
    [{ name: 'x', metricKeys: ['leads_won'], allowedOrigins: [PAGE], expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    [{ name: 'x', roiModelIds: ['not-an-id'], allowedOrigins: [PAGE] }, 'roiModelIds'],
  ])('refuses %j with BAD_USER_INPUT on %s, writing nothing', async (input, field) => {
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM widget_tokens`);
    const error = await acme.client.error(CREATE, { input });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM widget_tokens`)).toEqual(before);
  });

  it('treats another tenant’s model and token exactly like unknown ones', async () => {
    const unknown = await acme.client.error(CREATE, { input: { name: 'x', roiModelIds: ['00000000-0000-4000-8000-000000000000'], allowedOrigins: [PAGE] } });
    const theirs = await acme.client.error(CREATE, { input: { name: 'x', roiModelIds: [globexModelId], allowedOrigins: [PAGE] } });
    expect(theirs.extensions?.code).toBe(unknown.extensions?.code);
    expect(theirs.message.replace(globexModelId, 'ID')).toBe(unknown.message.replace('00000000-0000-4000-8000-000000000000', 'ID'));
    const revokeUnknown = await globex.client.error(REVOKE, { id: '00000000-0000-4000-8000-000000000000' });
    const revokeTheirs = await globex.client.error(REVOKE, { id: tokenId });
    expect(revokeTheirs.extensions?.code).toBe('NOT_FOUND');
    expect(revokeTheirs.extensions?.code).toBe(revokeUnknown.extensions?.code);
    expect((await globex.client.data(LIST)).widgetTokens).toEqual([]);
  });
});

describe('what a widget token reads over HTTP', () => {
  const SERIES = `query ($key: String!, $from: DateTime!, $to: DateTime!, $community: ID) {
    metricSeries(metricKey: $key, from: $from, to: $to, interval: DAY, communityId: $community) { start value count __typename } }`;
  const ROI = `query ($model: ID, $from: DateTime!, $to: DateTime!) {
    roi(modelId: $model, from: $from, to: $to, interval: DAY) { return investment roi from to series { start return investment roi } } }`;

  it('reads the series of its metric, for a community too', async () => {
    const all = await page().data(SERIES, { key: 'leads_won', from, to });
    expect(all.metricSeries.reduce((s: number, b: { value: number }) => s + b.value, 0)).toBe(4);
    const one = await page().data(SERIES, { key: 'leads_won', from, to, community: communityId });
    expect(one.metricSeries.reduce((s: number, b: { value: number }) => s + b.value, 0)).toBe(4);
  });

  it('reads the figures and series of its model', async () => {
    const { roi } = await page().data(ROI, { model: modelId, from, to });
    expect(roi).toMatchObject({ return: 40, investment: 100, roi: -0.6 });
    expect(roi.series.length).toBeGreaterThan(0);
  });

  it('answers 403 FORBIDDEN without an Origin header or from an origin it does not list', async () => {
    for (const origin of [null, OTHER_PAGE, 'https://www.customer.example.evil.example', 'http://www.customer.example']) {
      const res = await page(token, origin).request(SERIES, { key: 'leads_won', from, to });
      expect({ origin, status: res.status, code: res.errors?.[0]?.extensions?.code }).toEqual({ origin, status: 403, code: 'FORBIDDEN' });
      expect(res.data ?? null).toBeNull();
    }
  });

  it('answers UNAUTHENTICATED for an unknown or expired token', async () => {
    expect((await page(`rrw_${'x'.repeat(43)}`).error(SERIES, { key: 'leads_won', from, to })).extensions?.code).toBe('UNAUTHENTICATED');
    const made = await acme.client.data(CREATE, { input: { name: 'short', metricKeys: ['leads_won'], allowedOrigins: [PAGE] } });
    await t.ds.query(`UPDATE widget_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [made.createWidgetToken.widgetToken.id]);
    expect((await page(made.createWidgetToken.token).error(SERIES, { key: 'leads_won', from, to })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  // One test per operation the token may not run: each is FORBIDDEN, with no data.
  const forbidden: Array<[string, string, Record<string, unknown>?]> = [
    ['another metric’s series', `{ metricSeries(metricKey: "revenue", from: "${from}", to: "${to}", interval: DAY) { value } }`],
    ['another metric’s series through a variable', SERIES, { key: 'revenue', from, to }],
    ['another model’s roi', ROI, { model: otherModelId, from, to }],
    ['the default model’s roi (no modelId)', ROI, { from, to }],
    ['roi.model', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { roi model { name returnFormula } } }`],
    ['roi.byCommunity figures', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { byCommunity { roi } } }`],
    ['roi.byCommunity.community names', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { byCommunity { community { name } } } }`],
    ['roi.variables', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { variables { name value } } }`],
    ['roi.contributions', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { contributions { term value } } }`],
    ['a forbidden field through a fragment', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { ...F } } fragment F on RoiReport { roi model { name } }`],
    ['a forbidden field through an inline fragment', `{ roi(modelId: "MODEL", from: "${from}", to: "${to}") { ... on RoiReport { variables { name } } } }`],
    ['a forbidden field beside an allowed one', `{ metricSeries(metricKey: "leads_won", from: "${from}", to: "${to}", interval: DAY) { value } communities { totalCount } }`],
    ['relationships', `{ relationships { edges { node { name handle company } } } }`],
    ['relationship', `{ relationship(id: "00000000-0000-4000-8000-000000000000") { name } }`],
    ['communities', `{ communities { edges { node { name } } } }`],
    ['community', `{ community(id: "COMMUNITY") { name } }`],
    ['viewer', `{ viewer { scopes } }`],
    ['viewer internals', `{ viewer { organization { name slug } } }`],
    ['organization', `{ organization { name } }`],
    ['metrics (definitions)', `{ metrics { key name } }`],
    ['roiModels', `{ roiModels { id name returnFormula } }`],
    ['roiModel', `{ roiModel(id: "MODEL") { name } }`],
    ['previewRoi', `{ previewRoi(model: {returnFormula: "leads_won", investmentFormula: "1"}, from: "${from}", to: "${to}") { roi } }`],
    ['validateFormula', `{ validateFormula(formula: "leads_won") { valid identifiers } }`],
    ['goals', `{ goals { totalCount } }`],
    ['apiKeys', `{ apiKeys { id } }`],
    ['widgetTokens', `{ widgetTokens { id } }`],
    ['introspection', `{ __schema { queryType { name } } }`],
    ['recordMetrics', `mutation { recordMetrics(points: [{metricKey: "leads_won", value: 1000, at: "${from}"}]) { accepted } }`],
    ['createCommunity', `mutation { createCommunity(input: {name: "x", platform: "x"}) { id } }`],
    ['createWidgetToken', `mutation { createWidgetToken(input: {name: "x", metricKeys: ["revenue"], allowedOrigins: ["${PAGE}"]}) { token } }`],
    ['revokeWidgetToken', `mutation { revokeWidgetToken(id: "TOKEN") { id } }`],
    ['createApiKey', `mutation { createApiKey(input: {name: "x", scopes: [READ]}) { secret } }`],
  ];
  // Every row has three items, so that Jest never passes its `done` callback as `variables`.
  it.each(forbidden.map(([what, query, variables]) => [what, query, variables ?? {}] as const))('refuses %s with FORBIDDEN', async (_what, query, variables) => {
    const q = query.replace(/MODEL/g, modelId).replace(/COMMUNITY/g, communityId).replace(/TOKEN/g, tokenId);
    const res = await page().request(q, variables);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.status).toBe(403);
    expect(res.data ?? null).toBeNull();
  });

  it('wrote nothing through the refused mutations', async () => {
    expect((await acme.client.data(`{ communities { totalCount } }`)).communities.totalCount).toBe(1);
    expect((await acme.client.data(LIST)).widgetTokens.every((w: { metricKeys: string[] }) => !w.metricKeys.includes('revenue'))).toBe(true);
    expect((await acme.client.data(`{ apiKeys { id } }`)).apiKeys.length).toBe(1);
  });
});

describe('what a widget token reads over WebSocket', () => {
  const METRIC = `subscription ($key: String) { metricUpdated(metricKey: $key) { metricKey value at } }`;
  const ROI_UPDATED = `subscription ($model: ID, $from: DateTime!) { roiUpdated(modelId: $model, from: $from, interval: DAY) { roi return investment series { start roi } } }`;
  const clients: LiveClient[] = [];
  /** A socket as a page on `origin` opens it (null: no Origin header, as from a server). */
  const live = (origin: string | null = PAGE, secret = token) => {
    const c = new LiveClient(t.url, secret, { origin: origin ?? undefined });
    clients.push(c);
    return c;
  };
  afterAll(() => Promise.all(clients.map((c) => c.dispose())));

  it('follows its metric and its model live', async () => {
    const c = live();
    const metric = c.subscribe(METRIC, { key: 'leads_won' });
    const roi = c.subscribe(ROI_UPDATED, { model: modelId, from });
    await roi.next(1);
    await waitUntil(async () => (await t.server.metrics.subscriptions.get()).values[0]?.value === 2, 'two subscriptions');
    await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 6, at: new Date().toISOString() }] });
    const [update] = await metric.next(1);
    expect(update.metricUpdated).toMatchObject({ metricKey: 'leads_won', value: 6 });
    await waitUntil(() => roi.data.some((d) => d.roiUpdated.return === 100), 'the new roi');
  });

  it.each([
    ['metricUpdated of another metric', METRIC, { key: 'revenue' }],
    ['metricUpdated of every metric', METRIC, {}],
    ['roiUpdated of another model', ROI_UPDATED, { model: 'OTHER', from }],
    ['roiUpdated of the default model', ROI_UPDATED, { from }],
    ['roiUpdated with byCommunity', `subscription ($from: DateTime!) { roiUpdated(modelId: "MODEL", from: $from) { byCommunity { community { name } } } }`, { from }],
    ['goalProgressUpdated', `subscription { goalProgressUpdated { ratio } }`, {}],
    ['a query over the socket', `{ relationships { totalCount } }`, {}],
  ])('refuses %s with FORBIDDEN', async (_what, query, variables) => {
    const vars = JSON.parse(JSON.stringify(variables).replace('OTHER', otherModelId));
    const sub = live().subscribe(query.replace('MODEL', modelId), vars);
    await sub.ended();
    expect((sub.error as Array<{ extensions?: { code?: string } }>)[0].extensions?.code).toBe('FORBIDDEN');
    expect(sub.data).toEqual([]);
  });

  it('closes the socket with 4403 from an origin the token does not list, or without one', async () => {
    for (const origin of [OTHER_PAGE, null]) {
      const c = live(origin);
      const sub = c.subscribe(METRIC, { key: 'leads_won' });
      const closed = await c.closed();
      expect(closed.code).toBe(4403);
      expect(closed.reason).toMatch(/origin/i);
      expect(sub.data).toEqual([]);
    }
  });

  it('closes the sockets of a revoked token at once, and the token stops working', async () => {
    const made = await acme.client.data(CREATE, { input: { name: 'to revoke', metricKeys: ['leads_won'], allowedOrigins: [PAGE] } });
    const c = live(PAGE, made.createWidgetToken.token);
    const sub = c.subscribe(METRIC, { key: 'leads_won' });
    await waitUntil(() => t.server.live.registry.size() > 0 && sub.error === undefined, 'the socket to open');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await acme.client.data(REVOKE, { id: made.createWidgetToken.widgetToken.id });
    const closed = await c.closed(2_000);
    expect(closed.code).toBe(4403);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await page(made.createWidgetToken.token).error(`{ metricSeries(metricKey: "leads_won", from: "${from}", to: "${to}", interval: DAY) { value } }`)).extensions?.code).toBe('UNAUTHENTICATED');
  });
});
