import { randomUUID } from 'node:crypto';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let acme: Tenant;

const DAY = 86_400_000;
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
const yesterday = new Date(today.getTime() - DAY);
const tomorrow = new Date(today.getTime() + DAY);
const window = { from: yesterday.toISOString(), to: tomorrow.toISOString() };

const REPORT = `
  query ($modelId: ID, $from: DateTime!, $to: DateTime!, $interval: Interval, $version: Int) {
    roi(modelId: $modelId, from: $from, to: $to, interval: $interval, version: $version) {
      model { id name isDefault } version return investment roi
      variables { name value parameter }
      series { start return investment roi }
      byCommunity { community { id name } return investment roi }
      contributions { formula term value share }
    }
  }`;

let communityA: string;
let communityB: string;

async function createCommunity(tenant: Tenant, name: string): Promise<string> {
  const data = await tenant.client.data(`mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`, {
    input: { name, platform: 'linkedin' },
  });
  return data.createCommunity.id;
}

async function createRelationship(communityId: string, name: string, stage: string): Promise<void> {
  await acme.client.data(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id } }`, {
    input: { communityId, name, stage },
  });
}

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'ROI Org');
  communityA = await createCommunity(acme, 'Community A');
  communityB = await createCommunity(acme, 'Community B');
  await createRelationship(communityA, 'Ada', 'LEAD');
  await createRelationship(communityA, 'Grace', 'LEAD');
  await createRelationship(communityB, 'Linus', 'OPPORTUNITY');
  const at = (base: Date, hours: number) => new Date(base.getTime() + hours * 3_600_000).toISOString();
  await acme.client.data(`mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) { accepted } }`, {
    points: [
      { metricKey: 'hours_invested', value: 10, at: at(yesterday, 10) },
      { metricKey: 'hours_invested', value: 6, at: at(today, 0.5) },
      { metricKey: 'ad_spend', value: 200, at: at(yesterday, 12), communityId: communityA },
      // outside the window: must not count
      { metricKey: 'hours_invested', value: 1000, at: at(yesterday, -1) },
    ],
  });
});
afterAll(() => t.close());

describe('the default model', () => {
  it('exists from sign-up, with the metrics it needs', async () => {
    const fresh = await signUp(t, 'Fresh Org');
    const data = await fresh.client.data(`{ roiModels { name isDefault version returnFormula investmentFormula parameters { name value } }
      metrics { key builtIn } }`);
    expect(data.roiModels).toHaveLength(1);
    expect(data.roiModels[0]).toMatchObject({ name: 'Return on Relationships', isDefault: true, version: 1 });
    const keys = data.metrics.map((m: { key: string }) => m.key);
    expect(keys).toEqual(expect.arrayContaining(['hours_invested', 'ad_spend', 'leads', 'opportunities']));
    const report = await fresh.client.data(REPORT, window);
    expect(report.roi).toMatchObject({ return: 0, investment: 0, roi: null });
  });
});

describe('roi', () => {
  it('computes exact figures for the window, per day and per community', async () => {
    const { roi } = await acme.client.data(REPORT, { ...window, interval: 'DAY' });
    // leads 3 (an OPPORTUNITY has reached LEAD too), opportunities 1, customers 0;
    // hours 16 (the 1000 is outside the window), ad_spend 200.
    expect(roi.return).toBe(3 * 500 + 1 * 5000);
    expect(roi.investment).toBe(16 * 75 + 200);
    expect(roi.roi).toBeCloseTo((6500 - 1400) / 1400, 12);
    expect(roi.version).toBe(1);
    const vars = Object.fromEntries(roi.variables.map((v: { name: string; value: number }) => [v.name, v.value]));
    expect(vars).toEqual({
      lead_value: 500,
      opportunity_value: 5000,
      customer_value: 20000,
      hourly_rate: 75,
      leads: 3,
      opportunities: 1,
      customers: 0,
      hours_invested: 16,
      ad_spend: 200,
    });
    expect(roi.series).toEqual([
      { start: yesterday.toISOString(), return: 0, investment: 10 * 75 + 200, roi: -1 },
      { start: today.toISOString(), return: 6500, investment: 6 * 75, roi: (6500 - 450) / 450 },
    ]);
    const byCommunity = Object.fromEntries(
      roi.byCommunity.map((c: { community: { name: string } | null; return: number; investment: number; roi: number | null }) => [
        c.community?.name ?? 'none',
        [c.return, c.investment, c.roi],
      ]),
    );
    expect(byCommunity).toEqual({
      'Community A': [1000, 200, 4],
      'Community B': [500 + 5000, 0, null],
      none: [0, 1200, -1],
    });
  });

  it('explains each term’s share of its formula', async () => {
    const { roi } = await acme.client.data(REPORT, window);
    expect(roi.contributions).toEqual([
      { formula: 'RETURN', term: 'leads * lead_value', value: 1500, share: 1500 / 6500 },
      { formula: 'RETURN', term: 'opportunities * opportunity_value', value: 5000, share: 5000 / 6500 },
      { formula: 'RETURN', term: 'customers * customer_value', value: 0, share: 0 },
      { formula: 'INVESTMENT', term: 'hours_invested * hourly_rate', value: 1200, share: 1200 / 1400 },
      { formula: 'INVESTMENT', term: 'ad_spend', value: 200, share: 200 / 1400 },
    ]);
    expect(roi.series).toEqual([]);
  });

  it('versions a model on update and computes any saved version', async () => {
    const { roiModels } = await acme.client.data(`{ roiModels { id version } }`);
    const id = roiModels[0].id;
    const updated = await acme.client.data(
      `mutation ($id: ID!, $input: UpdateRoiModelInput!) { updateRoiModel(id: $id, input: $input) {
         version parameters { name value } versions { version createdAt createdBy { id } parameters { name value } } } }`,
      {
        id,
        input: {
          parameters: [
            { name: 'lead_value', value: 1000 },
            { name: 'opportunity_value', value: 5000 },
            { name: 'customer_value', value: 20000 },
            { name: 'hourly_rate', value: 75 },
          ],
        },
      },
    );
    expect(updated.updateRoiModel.version).toBe(2);
    expect(updated.updateRoiModel.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(updated.updateRoiModel.versions[0].createdBy.id).toBe(acme.userId);
    const now = await acme.client.data(REPORT, { ...window, modelId: id });
    expect(now.roi.return).toBe(3 * 1000 + 5000);
    expect(now.roi.version).toBe(2);
    const before = await acme.client.data(REPORT, { ...window, modelId: id, version: 1 });
    expect(before.roi.return).toBe(3 * 500 + 5000);
    expect(before.roi.version).toBe(1);
    const missing = await acme.client.error(REPORT, { ...window, modelId: id, version: 9 });
    expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'version' });
  });

  it('previews an unsaved draft over past data, saving nothing', async () => {
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM roi_model_versions`);
    const data = await acme.client.data(
      `query ($model: RoiModelDraftInput!, $from: DateTime!, $to: DateTime!) {
         previewRoi(model: $model, from: $from, to: $to) { model { id } return investment roi } }`,
      { ...window, model: { returnFormula: 'leads * v', investmentFormula: 'hours_invested', parameters: [{ name: 'v', value: 100 }] } },
    );
    expect(data.previewRoi).toEqual({ model: null, return: 300, investment: 16, roi: (300 - 16) / 16 });
    const after = await t.ds.query(`SELECT count(*)::int AS n FROM roi_model_versions`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('makes a new default model the one roi uses without modelId', async () => {
    const created = await acme.client.data(
      `mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id isDefault version } }`,
      { input: { name: 'Conversations', returnFormula: 'conversations * 10', investmentFormula: '1', parameters: [], isDefault: true } },
    );
    expect(created.createRoiModel).toMatchObject({ isDefault: true, version: 1 });
    const { roiModels } = await acme.client.data(`{ roiModels { id isDefault } }`);
    expect(roiModels.filter((m: { isDefault: boolean }) => m.isDefault).map((m: { id: string }) => m.id)).toEqual([created.createRoiModel.id]);
    const report = await acme.client.data(REPORT, window);
    expect(report.roi.model.id).toBe(created.createRoiModel.id);
    const refused = await acme.client.error(`mutation ($id: ID!) { updateRoiModel(id: $id, input: {isDefault: false}) { id } }`, {
      id: created.createRoiModel.id,
    });
    expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'isDefault' });
  });
});

describe('validateFormula', () => {
  const validate = (formula: string, parameters?: string[]) =>
    acme.client.data(`query ($f: String!, $p: [String!]) { validateFormula(formula: $f, parameters: $p) { valid errors { message start end } identifiers } }`, {
      f: formula,
      p: parameters,
    });

  it('accepts a formula over metrics and parameters and lists its identifiers', async () => {
    const { validateFormula } = await validate('leads * lead_value + max(hours_invested, 1)', ['lead_value']);
    expect(validateFormula).toEqual({ valid: true, errors: [], identifiers: ['leads', 'lead_value', 'hours_invested'] });
  });

  it.each([
    ['* leads', 0, 1],
    ['leads + * 2', 8, 9],
    ['leads +', 7, 7],
  ])('reports the syntax error in %p at its offsets', async (formula, start, end) => {
    const { validateFormula } = await validate(formula);
    expect(validateFormula.valid).toBe(false);
    expect(validateFormula.errors[0]).toMatchObject({ start, end });
  });

  it('suggests the nearest known identifier', async () => {
    const { validateFormula } = await validate('leds * 2');
    expect(validateFormula.errors).toEqual([{ message: "unknown identifier 'leds', did you mean 'leads'?", start: 0, end: 4 }]);
  });

  it('does not know another tenant’s metric', async () => {
    const other = await signUp(t, 'Other ROI Org');
    await other.client.data(`mutation { defineMetric(input: {key: "webinar_signups", name: "Webinar", aggregation: SUM}) { key } }`);
    expect((await other.client.data(`{ validateFormula(formula: "webinar_signups") { valid } }`)).validateFormula.valid).toBe(true);
    const { validateFormula } = await validate('webinar_signups * 2');
    expect(validateFormula.valid).toBe(false);
    expect(validateFormula.errors[0].message).toMatch(/unknown identifier 'webinar_signups'/);
  });

  it('rejects code, quotes, huge and deeply nested input as formula errors', async () => {
    for (const formula of ['1; DROP TABLE roi_models', "leads + 'x'", '"leads"', '('.repeat(10_000) + '1' + ')'.repeat(10_000), 'a'.repeat(2001)]) {
      const { validateFormula } = await validate(formula);
      expect(validateFormula.valid).toBe(false);
      expect(validateFormula.errors[0].message.length).toBeGreaterThan(0);
    }
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM roi_models`))[0].n).toBeGreaterThan(0);
  });
});

describe('bad models and windows', () => {
  const create = (input: Record<string, unknown>) =>
    acme.client.error(`mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`, {
      input: { name: 'Bad', returnFormula: 'leads', investmentFormula: 'hours_invested', parameters: [], ...input },
    });

  it.each([
    [{ returnFormula: 'leads +' }, 'returnFormula'],
    [{ investmentFormula: 'leds' }, 'investmentFormula'],
    [{ returnFormula: '1 + '.repeat(600) + '1' }, 'returnFormula'],
    [{ parameters: [{ name: 'leads', value: 1 }] }, 'parameters[0].name'],
    [{ parameters: [{ name: 'x', value: 1 }, { name: 'x', value: 2 }] }, 'parameters[1].name'],
    [{ parameters: [{ name: 'Bad-Name', value: 1 }] }, 'parameters[0].name'],
    [{ name: '  ' }, 'name'],
  ])('rejects %o naming %s and saves nothing', async (input, field) => {
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM roi_models`);
    const e = await create(input);
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(e.message).toContain(field);
    const after = await t.ds.query(`SELECT count(*)::int AS n FROM roi_models`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('gives a formula error its offsets', async () => {
    const e = await create({ returnFormula: 'leads + + 1' });
    expect(e.extensions).toMatchObject({ field: 'returnFormula', start: 8, end: 9 });
  });

  it('rejects a window whose to is before from', async () => {
    const e = await acme.client.error(REPORT, { from: window.to, to: window.from });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('rejects ten years by HOUR with the bucket limit', async () => {
    const e = await acme.client.error(REPORT, { from: '2015-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z', interval: 'HOUR' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interval', max: 10000 });
    expect(e.message).toMatch(/10000/);
  });
});

describe('cross-tenant', () => {
  it('treats another tenant’s model id exactly like an unknown one', async () => {
    const other = await signUp(t, 'Cross ROI Org');
    const { roiModels } = await acme.client.data(`{ roiModels { id } }`);
    const theirs = roiModels[0].id;
    const unknown = randomUUID();
    const a = await other.client.error(REPORT, { ...window, modelId: theirs });
    const b = await other.client.error(REPORT, { ...window, modelId: unknown });
    expect(a.extensions?.code).toBe('NOT_FOUND');
    expect(a.message.replace(theirs, 'ID')).toBe(b.message.replace(unknown, 'ID'));
    const update = `mutation ($id: ID!) { updateRoiModel(id: $id, input: {name: "Hijacked"}) { id } }`;
    expect((await other.client.error(update, { id: theirs })).extensions?.code).toBe('NOT_FOUND');
    expect((await other.client.data(`query ($id: ID!) { roiModel(id: $id) { id } }`, { id: theirs })).roiModel).toBeNull();
    const names = await t.ds.query(`SELECT DISTINCT name FROM roi_model_versions WHERE model_id = $1`, [theirs]);
    expect(names.map((n: { name: string }) => n.name)).not.toContain('Hijacked');
  });
});

describe('goals on ROI', () => {
  const CREATE = `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { id metricKey roiModelId progress { current target ratio onTrack } } }`;

  it('tracks a model’s roi over the goal’s period, exactly', async () => {
    const org = await signUp(t, 'Goal ROI Org');
    await org.client.data(`mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) { accepted } }`, {
      p: [
        { metricKey: 'hours_invested', value: 10, at: '2026-01-10T12:00:00Z' },
        { metricKey: 'ad_spend', value: 250, at: '2026-01-11T12:00:00Z' },
        { metricKey: 'ad_spend', value: 999, at: '2026-02-01T00:00:00Z' },
      ],
    });
    const { roiModels } = await org.client.data(`{ roiModels { id } }`);
    const data = await org.client.data(CREATE, {
      input: { name: 'Break even', roiModelId: roiModels[0].id, target: 0.5, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' },
    });
    // return 0 (no leads in January), investment 10 * 75 + 250 = 1000: roi -1; ratio -1 / 0.5 = -2.
    expect(data.createGoal).toMatchObject({ metricKey: null, roiModelId: roiModels[0].id, progress: { current: -1, target: 0.5, ratio: -2, onTrack: false } });
    const switched = await org.client.data(
      `mutation ($id: ID!) { updateGoal(id: $id, input: {metricKey: "ad_spend", target: 500}) { metricKey roiModelId progress { current ratio onTrack } } }`,
      { id: data.createGoal.id },
    );
    expect(switched.updateGoal).toEqual({ metricKey: 'ad_spend', roiModelId: null, progress: { current: 250, ratio: 0.5, onTrack: false } });
  });

  it('needs exactly one of metricKey and roiModelId, and a model of the organization', async () => {
    const { roiModels } = await acme.client.data(`{ roiModels { id } }`);
    const base = { name: 'G', target: 1, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' };
    const both = await acme.client.error(CREATE, { input: { ...base, metricKey: 'leads', roiModelId: roiModels[0].id } });
    expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metricKey' });
    const neither = await acme.client.error(CREATE, { input: base });
    expect(neither.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metricKey' });
    const other = await signUp(t, 'Goal Other Org');
    const foreign = await other.client.error(CREATE, { input: { ...base, roiModelId: roiModels[0].id } });
    expect(foreign.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roiModelId' });
    const unknown = await other.client.error(CREATE, { input: { ...base, roiModelId: randomUUID() } });
    expect(unknown.message.replace(/'[^']+'/, 'ID')).toBe(foreign.message.replace(/'[^']+'/, 'ID'));
  });
});
