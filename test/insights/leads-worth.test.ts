// Built-in metrics only: leads (relationships reaching LEAD, from their stage history) against
// qualified conversations; the default model's lead_value turns the factor into a value.
import { seededRandom } from '../../src/modules/insights/seeded-random';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let acme: Tenant;

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const WEEKS = 52;
const from = new Date('2025-01-06T00:00:00Z');
const to = new Date(from.getTime() + WEEKS * WEEK);
const r = seededRandom(17);
const qualified = Array.from({ length: WEEKS }, () => Math.max(0, Math.round(24 + 8 * r.normal())));
// Leads reached in week w: a quarter of the qualified conversations two weeks before, rounded, plus noise.
const leads = qualified.map((_, w) => Math.max(0, Math.round(1 + 0.25 * (w >= 2 ? qualified[w - 2] : 24) + r.normal())));

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  const { createCommunity } = await acme.client.data(`mutation { createCommunity(input: {name: "Founders", platform: "linkedin"}) { id } }`);
  const inputs = leads.flatMap((n, w) =>
    Array.from({ length: n }, (_, i) => ({
      communityId: createCommunity.id,
      name: `Lead ${w}-${i}`,
      connectedAt: new Date(from.getTime() + w * WEEK + DAY).toISOString(),
      stageHistory: [{ stage: 'LEAD', at: new Date(from.getTime() + w * WEEK + 2 * DAY + i * 60_000).toISOString() }],
    })),
  );
  let relationshipId = '';
  for (let i = 0; i < inputs.length; i += 15) {
    const batch = inputs.slice(i, i + 15);
    const doc = `mutation (${batch.map((_, j) => `$i${j}: CreateRelationshipInput!`).join(', ')}) { ${batch
      .map((_, j) => `r${j}: createRelationship(input: $i${j}) { id }`)
      .join(' ')} }`;
    const data = await acme.client.data(doc, Object.fromEntries(batch.map((input, j) => [`i${j}`, input])));
    relationshipId = data.r0.id;
  }
  const at: string[] = [];
  qualified.forEach((n, w) => {
    for (let i = 0; i < n; i++) at.push(new Date(from.getTime() + w * WEEK + 3 * DAY + i * 3_600_000).toISOString());
  });
  await t.ds.query(
    `INSERT INTO conversations (organization_id, relationship_id, occurred_at, qualified) SELECT $1, $2, a, true FROM unnest($3::timestamptz[]) AS a`,
    [acme.organizationId, relationshipId, at],
  );
});
afterAll(() => t.close());

it('values a qualified conversation at leads per conversation × lead_value, from built-in metrics alone', async () => {
  const { relationshipInsights: insight } = await acme.client.data(
    `query ($from: DateTime!, $to: DateTime!) {
      relationshipInsights(target: "leads", drivers: ["qualified_conversations"], from: $from, to: $to) {
        n drivers { driver lag coefficient low high } suggestedParameters { name value low high basis }
      }
    }`,
    { from: from.toISOString(), to: to.toISOString() },
  );
  const [d] = insight.drivers;
  expect(d.lag).toBe(2);
  expect(d.low).toBeLessThan(0.25);
  expect(d.high).toBeGreaterThan(0.25);
  expect(insight.suggestedParameters).toEqual([
    expect.objectContaining({ name: 'qualified_conversation_value', value: expect.closeTo(d.coefficient * 500, 9), low: expect.closeTo(d.low * 500, 9) }),
  ]);
  expect(insight.suggestedParameters[0].basis).toMatch(/each valued at lead_value = 500$/);
});
