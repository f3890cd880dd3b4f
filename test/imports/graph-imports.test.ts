import { apiKey, signUp, type Tenant } from '../support/builders';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { finished, postImport } from './import-support';

const NDJSON = 'application/x-ndjson';
const COMMUNITY = `mutation { createCommunity(input: {name: "Discord", platform: "discord"}) { id } }`;
const BY_EXTERNAL = `query { relationships(first: 100) { totalCount edges { node { externalId name stage connectedAt qualified stageHistory: stageChanges { toStage changedAt } } } } }`;

describe('relationship and conversation imports', () => {
  let t: TestServer;
  let acme: Tenant;
  let ingest: GraphQLClient;
  let key: string;
  let community: string;

  beforeAll(async () => {
    t = await startTestServer();
    acme = await signUp(t, 'Acme');
    community = (await acme.client.data(COMMUNITY)).createCommunity.id;
    key = (await apiKey(acme, ['INGEST', 'READ'])).secret;
    ingest = t.client().withHeaders({ 'x-api-key': key });
  });
  afterAll(() => t.close());

  const run = async (kind: string, type: string, body: string) => finished(ingest, (await postImport(t.url, `kind=${kind}`, type, body, key)).json.id);

  it('upserts relationships by externalId with their start and stage, and the same file again writes nothing', async () => {
    const csv =
      'externalId,name,communityId,handle,company,stage,qualified,connectedAt\n' +
      `crm-1,Ada Lovelace,${community},@ada,Analytical,LEAD,true,2026-01-10T09:00:00Z\n` +
      `crm-2,Grace Hopper,${community},,,,,2026-02-01T00:00:00Z\n`;
    expect(await run('relationships', 'text/csv', csv)).toMatchObject({ status: 'SUCCEEDED', rows: 2, accepted: 2, duplicates: 0 });
    expect(await run('relationships', 'text/csv', csv)).toMatchObject({ status: 'SUCCEEDED', accepted: 0, duplicates: 2 });
    const { relationships } = await acme.client.data(BY_EXTERNAL);
    expect(relationships.totalCount).toBe(2);
    const ada = relationships.edges.find((e: any) => e.node.externalId === 'crm-1').node;
    expect(ada).toMatchObject({ name: 'Ada Lovelace', stage: 'LEAD', qualified: true, connectedAt: '2026-01-10T09:00:00.000Z' });
    expect(ada.stageHistory).toEqual([{ toStage: 'LEAD', changedAt: '2026-01-10T09:00:00.000Z' }]);

    // A later stage for a known externalId is a stage change; an earlier one is refused.
    const moved = await run('relationships', NDJSON, JSON.stringify({ externalId: 'crm-2', name: 'Grace Hopper', communityId: community, stage: 'CUSTOMER' }));
    expect(moved).toMatchObject({ status: 'SUCCEEDED', accepted: 1 });
    const back = await run('relationships', NDJSON, JSON.stringify({ externalId: 'crm-1', name: 'Ada', communityId: community, stage: 'ENGAGED' }));
    expect(back.errors).toEqual([{ line: 1, message: "stage: ENGAGED is earlier in the funnel than the relationship's stage LEAD" }]);
    const after = (await acme.client.data(BY_EXTERNAL)).relationships.edges.map((e: any) => e.node);
    expect(after.find((n: any) => n.externalId === 'crm-2').stageHistory.map((s: any) => s.toStage)).toEqual(['CONNECTED', 'CUSTOMER']);
    expect(after.find((n: any) => n.externalId === 'crm-1').name).toBe('Ada Lovelace');
  });

  it('refuses bad relationship rows with their line and field, and writes none of the file', async () => {
    const rows = [
      { externalId: 'crm-3', name: 'Fine', communityId: community },
      { externalId: 'crm-4', name: ' ', communityId: community },
      { externalId: 'crm-5', name: 'X', communityId: '00000000-0000-4000-8000-000000000000' },
      { externalId: 'crm-6', name: 'X', communityId: community, stage: 'FRIEND' },
      { externalId: 'crm-7', name: 'X', communityId: community, connectedAt: '2999-01-01T00:00:00Z' },
      { externalId: 'crm-3', name: 'Twice', communityId: community },
      { externalId: 'crm-8', name: 'X', communityId: community, qualified: 'yes' },
    ];
    const job = await run('relationships', NDJSON, rows.map((r) => JSON.stringify(r)).join('\n'));
    expect(job.status).toBe('FAILED');
    expect(job.errors).toEqual([
      { line: 2, message: 'name: required' },
      { line: 3, message: "communityId: '00000000-0000-4000-8000-000000000000' is not a community of this organization" },
      { line: 4, message: 'stage: must be one of CONNECTED, ENGAGED, LEAD, OPPORTUNITY, CUSTOMER' },
      { line: 5, message: 'connectedAt: must not be in the future' },
      { line: 6, message: "externalId: 'crm-3' is also on line 1 of this file" },
      { line: 7, message: 'qualified: must be true or false' },
    ]);
    expect((await acme.client.data(BY_EXTERNAL)).relationships.totalCount).toBe(2);
  });

  it('imports conversations by their relationship’s externalId, idempotent by their own externalId', async () => {
    const body = [
      { relationshipExternalId: 'crm-1', occurredAt: '2026-01-11T10:00:00Z', channel: 'dm', sentiment: 0.5, qualified: true, externalId: 'c-1' },
      { relationshipExternalId: 'crm-1', occurredAt: '2026-01-12T10:00:00Z', summary: 'call', externalId: 'c-2' },
      { relationshipExternalId: 'crm-2', occurredAt: '2026-02-03T10:00:00Z' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    expect(await run('conversations', NDJSON, body)).toMatchObject({ status: 'SUCCEEDED', rows: 3, accepted: 3 });
    // Again: the two with an externalId are duplicates; the one without is a new conversation.
    expect(await run('conversations', NDJSON, body)).toMatchObject({ status: 'SUCCEEDED', accepted: 1, duplicates: 2 });
    const bad = await run('conversations', 'text/csv', 'relationshipExternalId,occurredAt,sentiment\ncrm-9,2026-01-01T00:00:00Z,0\ncrm-1,2026-01-01T00:00:00Z,2\n');
    expect(bad.errors).toEqual([
      { line: 2, message: "relationshipExternalId: no relationship of this organization has the externalId 'crm-9'" },
      { line: 3, message: 'sentiment: must be a number from -1 to 1' },
    ]);
    const { metricSeries } = await acme.client.data(
      `{ metricSeries(metricKey: "conversations", from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: MONTH) { value } }`,
    );
    expect(metricSeries.map((b: any) => b.value)).toEqual([2, 2]);
  });

  it('another tenant’s externalIds are unknown to an import', async () => {
    const globex = await signUp(t, 'Globex');
    const globexKey = (await apiKey(globex, ['INGEST', 'READ'])).secret;
    const res = await postImport(t.url, 'kind=conversations', NDJSON, JSON.stringify({ relationshipExternalId: 'crm-1', occurredAt: '2026-01-11T10:00:00Z' }), globexKey);
    const job = await finished(t.client().withHeaders({ 'x-api-key': globexKey }), res.json.id);
    expect(job.errors).toEqual([{ line: 1, message: "relationshipExternalId: no relationship of this organization has the externalId 'crm-1'" }]);
  });
});
