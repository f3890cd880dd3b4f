import { HistoryIdentities1764001200000 } from '../../migrations/1764001200000-history-identities';
import { openDatabase } from '../../src/db/data-source';
import { signUp, type Tenant } from '../support/builders';
import { createTestDatabase } from '../support/databases';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity, createRelationship, UNKNOWN_ID } from './graph-builders';

let t: TestServer;
let a: Tenant;
let b: Tenant;
let community: string;

const CREATE = `mutation ($input: CreateRelationshipInput!) {
  createRelationship(input: $input) { id stage connectedAt externalId stageChanges { fromStage toStage changedAt } }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateRelationshipInput!) {
  updateRelationship(id: $id, input: $input) { id stage stageChanges { fromStage toStage changedAt } }
}`;
const future = () => new Date(Date.now() + 3_600_000).toISOString();

/** Rows of the tables a relationship write touches, as the owner sees them. */
async function rows(): Promise<number[]> {
  const [r] = await t.ds.query(`SELECT (SELECT count(*) FROM relationships)::int AS r, (SELECT count(*) FROM relationship_stage_changes)::int AS s`);
  return [r.r, r.s];
}

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'History A');
  b = await signUp(t, 'History B');
  community = await createCommunity(a.client);
});
afterAll(() => t.close());

describe('a relationship’s past on creation', () => {
  it('records connectedAt and every stage of its history at its own time', async () => {
    const { createRelationship } = await a.client.data(CREATE, {
      input: {
        communityId: community,
        name: 'Grace',
        connectedAt: '2021-01-05T10:00:00Z',
        externalId: 'crm-grace',
        stageHistory: [
          { stage: 'ENGAGED', at: '2021-02-01T00:00:00Z' },
          { stage: 'OPPORTUNITY', at: '2021-02-01T00:00:00Z' },
          { stage: 'CUSTOMER', at: '2022-07-01T12:00:00Z' },
        ],
      },
    });
    expect(createRelationship).toMatchObject({ stage: 'CUSTOMER', connectedAt: '2021-01-05T10:00:00.000Z', externalId: 'crm-grace' });
    expect(createRelationship.stageChanges.map((c: { toStage: string; changedAt: string }) => [c.toStage, c.changedAt]).sort()).toEqual([
      ['CONNECTED', '2021-01-05T10:00:00.000Z'],
      ['CUSTOMER', '2022-07-01T12:00:00.000Z'],
      ['ENGAGED', '2021-02-01T00:00:00.000Z'],
      ['OPPORTUNITY', '2021-02-01T00:00:00.000Z'],
    ]);
  });

  it('starts in the first entry’s stage when it is at connectedAt, and defaults connectedAt to now', async () => {
    const before = Date.now();
    const { createRelationship } = await a.client.data(CREATE, { input: { communityId: community, name: 'Linus', stage: 'LEAD' } });
    expect(Date.parse(createRelationship.connectedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(createRelationship.stageChanges).toEqual([{ fromStage: null, toStage: 'LEAD', changedAt: createRelationship.connectedAt }]);
    const started = await a.client.data(CREATE, {
      input: { communityId: community, name: 'Ken', connectedAt: '2020-01-01T00:00:00Z', stageHistory: [{ stage: 'LEAD', at: '2020-01-01T00:00:00Z' }] },
    });
    expect(started.createRelationship.stageChanges).toEqual([{ fromStage: null, toStage: 'LEAD', changedAt: '2020-01-01T00:00:00.000Z' }]);
  });

  it.each([
    ['a future connectedAt', { connectedAt: 'FUTURE' }, 'connectedAt'],
    ['a future stage', { connectedAt: '2021-01-01T00:00:00Z', stageHistory: [{ stage: 'LEAD', at: 'FUTURE' }] }, 'stageHistory[0].at'],
    ['a stage before connectedAt', { connectedAt: '2021-01-01T00:00:00Z', stageHistory: [{ stage: 'LEAD', at: '2020-01-01T00:00:00Z' }] }, 'stageHistory[0].at'],
    [
      'a history out of order',
      { connectedAt: '2021-01-01T00:00:00Z', stageHistory: [{ stage: 'LEAD', at: '2021-03-01T00:00:00Z' }, { stage: 'CUSTOMER', at: '2021-02-01T00:00:00Z' }] },
      'stageHistory[1].at',
    ],
    [
      'a history backwards in the funnel',
      { connectedAt: '2021-01-01T00:00:00Z', stageHistory: [{ stage: 'CUSTOMER', at: '2021-02-01T00:00:00Z' }, { stage: 'LEAD', at: '2021-03-01T00:00:00Z' }] },
      'stageHistory[1].stage',
    ],
    ['CONNECTED after connectedAt', { connectedAt: '2021-01-01T00:00:00Z', stageHistory: [{ stage: 'CONNECTED', at: '2021-02-01T00:00:00Z' }] }, 'stageHistory[0].stage'],
    ['a stage that disagrees with the history', { stage: 'LEAD', connectedAt: '2021-01-01T00:00:00Z', stageHistory: [{ stage: 'CUSTOMER', at: '2021-02-01T00:00:00Z' }] }, 'stage'],
    ['a duplicate externalId', { externalId: 'crm-grace' }, 'externalId'],
    ['an externalId over 200 characters', { externalId: 'x'.repeat(201) }, 'externalId'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_what, input, field) => {
    const resolved = JSON.parse(JSON.stringify(input).replace(/FUTURE/g, future()));
    const before = await rows();
    const e = await a.client.error(CREATE, { input: { communityId: community, name: 'Bad', ...resolved } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await rows()).toEqual(before);
  });

  it('keeps externalId per organization: another one may use the same', async () => {
    const theirs = await createCommunity(b.client);
    const { createRelationship } = await b.client.data(CREATE, { input: { communityId: theirs, name: 'Other Grace', externalId: 'crm-grace' } });
    expect(createRelationship.externalId).toBe('crm-grace');
  });
});

describe('stage changes with stageChangedAt', () => {
  let id: string;
  beforeAll(async () => {
    id = await createRelationship(a.client, community, { connectedAt: '2024-01-01T00:00:00Z' });
    await a.client.data(UPDATE, { id, input: { stage: 'LEAD', stageChangedAt: '2024-03-01T00:00:00Z' } });
  });

  it('records a change at its time, and a move down and up again', async () => {
    await a.client.data(UPDATE, { id, input: { stage: 'ENGAGED', stageChangedAt: '2024-04-01T00:00:00Z' } });
    const { updateRelationship } = await a.client.data(UPDATE, { id, input: { stage: 'LEAD', stageChangedAt: '2024-04-01T00:00:00Z' } });
    expect(updateRelationship.stageChanges.map((c: { fromStage: string | null; toStage: string; changedAt: string }) => `${c.fromStage}>${c.toStage}@${c.changedAt.slice(0, 10)}`).sort()).toEqual(
      ['ENGAGED>LEAD@2024-04-01', 'LEAD>ENGAGED@2024-04-01', 'CONNECTED>LEAD@2024-03-01', 'null>CONNECTED@2024-01-01'].sort(),
    );
  });

  it.each([
    ['before the last change', { stage: 'CUSTOMER', stageChangedAt: '2024-03-15T00:00:00Z' }, 'stageChangedAt'],
    ['in the future', { stage: 'CUSTOMER', stageChangedAt: 'FUTURE' }, 'stageChangedAt'],
    ['without a stage', { name: 'Renamed', stageChangedAt: '2024-05-01T00:00:00Z' }, 'stageChangedAt'],
  ])('refuses a change %s and writes nothing', async (_what, input, field) => {
    const resolved = JSON.parse(JSON.stringify(input).replace(/FUTURE/g, future()));
    const before = await t.ds.query(`SELECT name, stage, updated_at FROM relationships WHERE id = $1`, [id]);
    const changes = await rows();
    const e = await a.client.error(UPDATE, { id, input: resolved });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await t.ds.query(`SELECT name, stage, updated_at FROM relationships WHERE id = $1`, [id])).toEqual(before);
    expect(await rows()).toEqual(changes);
  });

  it('treats another tenant’s relationship like an unknown one', async () => {
    const input = { stage: 'CUSTOMER', stageChangedAt: '2024-05-01T00:00:00Z' };
    const foreign = await b.client.error(UPDATE, { id, input });
    const unknown = await b.client.error(UPDATE, { id: UNKNOWN_ID, input });
    expect(foreign.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.message.replace(id, 'ID')).toBe(unknown.message.replace(UNKNOWN_ID, 'ID'));
    expect((await t.ds.query(`SELECT stage FROM relationships WHERE id = $1`, [id]))[0].stage).toBe('LEAD');
  });
});

describe('the migration', () => {
  it('back-fills connectedAt from the creation time of existing relationships', async () => {
    const db = await createTestDatabase();
    const ds = await openDatabase(db.url, 2);
    try {
      const migration = new HistoryIdentities1764001200000();
      const runner = ds.createQueryRunner();
      await migration.down(runner);
      const [org] = await ds.query(`INSERT INTO organizations (name, slug) VALUES ('Old', 'old') RETURNING id`);
      const [c] = await ds.query(`INSERT INTO communities (organization_id, name, platform) VALUES ($1, 'C', 'x') RETURNING id`, [org.id]);
      await ds.query(
        `INSERT INTO relationships (organization_id, community_id, name, created_at) VALUES ($1, $2, 'Then', '2019-05-06T07:08:09.123456Z'), ($1, $2, 'Now', now())`,
        [org.id, c.id],
      );
      await migration.up(runner);
      await runner.release();
      const rows = await ds.query(`SELECT name, connected_at = created_at AS same, connected_at FROM relationships ORDER BY created_at`);
      expect(rows.map((r: { name: string; same: boolean }) => [r.name, r.same])).toEqual([
        ['Then', true],
        ['Now', true],
      ]);
      expect(rows[0].connected_at.toISOString()).toBe('2019-05-06T07:08:09.123Z');
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
