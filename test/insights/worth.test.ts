// "What is a qualified conversation worth to us?" — a year of history, the answer with its
// uncertainty, and the ROI model tried with it over the past in one more query.
import { seededRandom } from '../../src/modules/insights/seeded-random';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { defineMetric, record } from '../metrics/metric-builders';

let t: TestServer;
let acme: Tenant;

const WEEK = 7 * 86_400_000;
const WEEKS = 52;
const from = new Date('2025-01-06T00:00:00Z'); // a Monday; the organization keeps UTC
const to = new Date(from.getTime() + WEEKS * WEEK);
const r = seededRandom(2026);
// Qualified conversations a week, and revenue that follows them a week later at 120 USD each.
const qualified = Array.from({ length: WEEKS }, () => Math.max(0, Math.round(20 + 6 * r.normal())));
const revenue = qualified.map((_, w) => 800 + 120 * (w >= 1 ? qualified[w - 1] : 20) + 150 * r.normal());

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  const { createCommunity } = await acme.client.data(`mutation { createCommunity(input: {name: "Founders", platform: "linkedin"}) { id } }`);
  const { createRelationship } = await acme.client.data(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id } }`, {
    input: { communityId: createCommunity.id, name: 'Ada' },
  });
  // The conversations themselves, qualified or not, written as the data's owner (a builder, not the code under test).
  const at: string[] = [];
  const isQualified: boolean[] = [];
  qualified.forEach((n, w) => {
    for (let i = 0; i < n + 5; i++) {
      at.push(new Date(from.getTime() + w * WEEK + 86_400_000 + i * 3_600_000).toISOString());
      isQualified.push(i < n);
    }
  });
  await t.ds.query(
    `INSERT INTO conversations (organization_id, relationship_id, occurred_at, qualified) SELECT $1, $2, a, q FROM unnest($3::timestamptz[], $4::boolean[]) AS c(a, q)`,
    [acme.organizationId, createRelationship.id, at, isQualified],
  );
  await defineMetric(acme.client, 'revenue', 'SUM', { unit: 'USD' });
  await record(
    acme.client,
    revenue.map((value, w) => ({ metricKey: 'revenue', value, at: new Date(from.getTime() + w * WEEK + 4 * 86_400_000).toISOString() })),
  );
});
afterAll(() => t.close());

it('answers with its uncertainty, and the answer can be tried in the ROI model over the past', async () => {
  const { relationshipInsights: insight } = await acme.client.data(
    `query ($from: DateTime!, $to: DateTime!) {
      relationshipInsights(target: "revenue", drivers: ["qualified_conversations"], from: $from, to: $to) {
        n r2 drivers { driver lag coefficient standardError low high } suggestedParameters { name value low high driver basis }
      }
    }`,
    { from: from.toISOString(), to: to.toISOString() },
  );
  const [d] = insight.drivers;
  expect(d).toMatchObject({ driver: 'qualified_conversations', lag: 1 });
  expect(d.low).toBeLessThan(120);
  expect(d.high).toBeGreaterThan(120);
  expect(insight.n).toBe(WEEKS - 1);
  const [suggestion] = insight.suggestedParameters;
  expect(suggestion).toMatchObject({ name: 'qualified_conversation_value', value: d.coefficient, low: d.low, high: d.high, driver: 'qualified_conversations' });
  expect(suggestion.basis).toMatch(/^each qualified_conversations goes with [\d.]+ USD of revenue 1 interval later$/);

  // One more query: the default investment, a return valued by the suggestion, over the same year.
  const { previewRoi } = await acme.client.data(
    `query ($model: RoiModelDraftInput!, $from: DateTime!, $to: DateTime!, $suggested: [RoiParameterInput!]) {
      previewRoi(model: $model, from: $from, to: $to, suggestedParameters: $suggested) { return variables { name value parameter } }
    }`,
    {
      model: {
        returnFormula: 'qualified_conversations * qualified_conversation_value',
        investmentFormula: 'hours_invested * hourly_rate + ad_spend',
        parameters: [
          { name: 'hourly_rate', value: 75 },
          { name: 'qualified_conversation_value', value: 1 },
        ],
      },
      from: from.toISOString(),
      to: to.toISOString(),
      suggested: insight.suggestedParameters.map((s: { name: string; value: number }) => ({ name: s.name, value: s.value })),
    },
  );
  const total = qualified.reduce((s, n) => s + n, 0);
  expect(previewRoi.return).toBeCloseTo(total * suggestion.value, 6);
  expect(previewRoi.variables).toEqual(expect.arrayContaining([{ name: 'qualified_conversation_value', value: suggestion.value, parameter: true }]));
});

it('refuses a suggested parameter that would shadow a metric, naming the draft field', async () => {
  const err = await acme.client.error(
    `query ($from: DateTime!, $to: DateTime!) {
      previewRoi(model: {returnFormula: "leads", investmentFormula: "1"}, from: $from, to: $to, suggestedParameters: [{name: "revenue", value: 3}]) { return }
    }`,
    { from: from.toISOString(), to: to.toISOString() },
  );
  expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'suggestedParameters[0].name' });
  expect(err.message).toMatch(/'revenue' is a metric, not a parameter/);
});

it('previews a draft whose formulas use parameters only (no metric to aggregate)', async () => {
  const { previewRoi } = await acme.client.data(
    `query ($from: DateTime!, $to: DateTime!) {
      previewRoi(model: {returnFormula: "x_value * 2", investmentFormula: "1"}, from: $from, to: $to, interval: MONTH, suggestedParameters: [{name: "x_value", value: 3}]) {
        return investment roi series { return }
      }
    }`,
    { from: from.toISOString(), to: to.toISOString() },
  );
  expect(previewRoi).toMatchObject({ return: 6, investment: 1, roi: 5 });
  expect(previewRoi.series.length).toBeGreaterThan(11);
});
