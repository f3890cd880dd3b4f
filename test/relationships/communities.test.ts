import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommunity, createRelationship, UNKNOWN_ID } from './graph-builders';

let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
});
afterAll(() => t.close());

const FIELDS = `id name platform url qualified alignmentScore tags archived archivedAt createdAt updatedAt relationshipCount qualifiedRelationshipCount`;
const CREATE = `mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateCommunityInput!) { updateCommunity(id: $id, input: $input) { ${FIELDS} } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveCommunity(id: $id) { ${FIELDS} } }`;
const ONE = `query ($id: ID!) { community(id: $id) { ${FIELDS} } }`;
const LIST = `query ($filter: CommunityFilter, $first: Int) { communities(first: $first, filter: $filter) { totalCount edges { node { id name } } } }`;

async function rowCount(table: string): Promise<number> {
  const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

describe('communities', () => {
  it('creates a community with trimmed text, defaults and deduplicated tags', async () => {
    const data = await acme.client.data(CREATE, {
      input: { name: '  Growth Hackers ', platform: 'LinkedIn', url: 'https://linkedin.com/groups/1', alignmentScore: 0.75, tags: ['b2b', ' b2b', 'saas'] },
    });
    expect(data.createCommunity).toMatchObject({
      name: 'Growth Hackers',
      platform: 'LinkedIn',
      url: 'https://linkedin.com/groups/1',
      qualified: false,
      alignmentScore: 0.75,
      tags: ['b2b', 'saas'],
      archived: false,
      archivedAt: null,
      relationshipCount: 0,
      qualifiedRelationshipCount: 0,
    });
    expect(data.createCommunity.updatedAt).toBe(data.createCommunity.createdAt);
    const [row] = await t.ds.query(`SELECT organization_id FROM communities WHERE id = $1`, [data.createCommunity.id]);
    expect(row.organization_id).toBe(acme.organizationId);
  });

  it('updates only the given fields; null clears url and alignmentScore', async () => {
    const id = await createCommunity(acme.client, { url: 'https://example.com', alignmentScore: 0.5, tags: ['x'] });
    const data = await acme.client.data(UPDATE, { id, input: { qualified: true, url: null, alignmentScore: null } });
    expect(data.updateCommunity).toMatchObject({ name: 'Growth Hackers', platform: 'linkedin', qualified: true, url: null, alignmentScore: null, tags: ['x'] });
    expect(new Date(data.updateCommunity.updatedAt).getTime()).toBeGreaterThan(new Date(data.updateCommunity.createdAt).getTime());
  });

  it('counts relationships and qualified relationships', async () => {
    const id = await createCommunity(acme.client);
    await createRelationship(acme.client, id, { qualified: true });
    await createRelationship(acme.client, id);
    await createRelationship(acme.client, id, { qualified: true });
    const data = await acme.client.data(ONE, { id });
    expect(data.community).toMatchObject({ relationshipCount: 3, qualifiedRelationshipCount: 2 });
  });

  it('filters by platform (ignoring case) and qualified', async () => {
    const org = await signUp(t, 'Filters');
    const a = await createCommunity(org.client, { platform: 'discord', qualified: true });
    const b = await createCommunity(org.client, { platform: 'Discord' });
    const c = await createCommunity(org.client, { platform: 'reddit', qualified: true });
    const ids = async (filter: unknown) => (await org.client.data(LIST, { filter })).communities.edges.map((e: any) => e.node.id);
    expect(await ids({ platform: 'DISCORD' })).toEqual([a, b]);
    expect(await ids({ qualified: true })).toEqual([a, c]);
    expect(await ids({ platform: 'discord', qualified: false })).toEqual([b]);
    expect(await ids(null)).toEqual([a, b, c]);
  });
});

describe('archiving', () => {
  it('keeps the community, its relationships and their history readable, and hides it only when asked', async () => {
    const org = await signUp(t, 'Archive');
    const active = await createCommunity(org.client, { name: 'Active' });
    const id = await createCommunity(org.client, { name: 'Old' });
    const rel = await createRelationship(org.client, id, { stage: 'LEAD' });
    const archived = (await org.client.data(ARCHIVE, { id })).archiveCommunity;
    expect(archived.archived).toBe(true);
    expect(archived.archivedAt).not.toBeNull();

    const again = (await org.client.data(ARCHIVE, { id })).archiveCommunity;
    expect(again.archivedAt).toBe(archived.archivedAt);

    const read = await org.client.data(
      `query ($id: ID!, $rel: ID!) {
        community(id: $id) { archived relationshipCount relationships { totalCount edges { node { id stageChanges { toStage } } } } }
        relationship(id: $rel) { id community { id archived } }
      }`,
      { id, rel },
    );
    expect(read.community).toMatchObject({ archived: true, relationshipCount: 1, relationships: { totalCount: 1 } });
    expect(read.community.relationships.edges[0].node).toEqual({ id: rel, stageChanges: [{ toStage: 'LEAD' }] });
    expect(read.relationship.community).toEqual({ id, archived: true });

    const names = async (filter: unknown) => (await org.client.data(LIST, { filter })).communities.edges.map((e: any) => e.node.name);
    expect(await names(null)).toEqual(['Active', 'Old']);
    expect(await names({ archived: false })).toEqual(['Active']);
    expect(await names({ archived: true })).toEqual(['Old']);
    expect(active).toBeTruthy();
  });

  it('refuses new relationships in an archived community, naming communityId', async () => {
    const id = await createCommunity(acme.client);
    await acme.client.data(ARCHIVE, { id });
    const before = await rowCount('relationships');
    const e = await acme.client.error(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id } }`, {
      input: { communityId: id, name: 'Late' },
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'communityId' });
    expect(await rowCount('relationships')).toBe(before);
  });
});

describe('bad community input', () => {
  it.each([
    [{ alignmentScore: 1.5 }, 'alignmentScore'],
    [{ alignmentScore: -0.01 }, 'alignmentScore'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ platform: '' }, 'platform'],
    [{ url: 'javascript:alert(1)' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ tags: [''] }, 'tags'],
    [{ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
  ])('rejects %o on create and update, naming the field, and writes nothing', async (bad, field) => {
    const before = await rowCount('communities');
    const e = await acme.client.error(CREATE, { input: { name: 'N', platform: 'p', ...bad } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(e.message).toContain(field);
    expect(await rowCount('communities')).toBe(before);

    const id = await createCommunity(acme.client, { name: 'Keep', alignmentScore: 0.2 });
    const u = await acme.client.error(UPDATE, { id, input: bad });
    expect(u.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await acme.client.data(ONE, { id })).community).toMatchObject({ name: 'Keep', alignmentScore: 0.2, platform: 'linkedin' });
  });

  it('rejects null for a required field on update', async () => {
    const id = await createCommunity(acme.client);
    const e = await acme.client.error(UPDATE, { id, input: { name: null } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});

describe('community scopes', () => {
  it('needs WRITE to create and READ to list', async () => {
    const ingest = await apiKey(acme, ['INGEST']);
    const e = await t.client(ingest.secret).error(CREATE, { input: { name: 'N', platform: 'p' } });
    expect(e.extensions?.code).toBe('FORBIDDEN');
    const read = await apiKey(acme, ['READ']);
    const list = await t.client(read.secret).data(LIST);
    expect(list.communities.totalCount).toBeGreaterThan(0);
    const w = await t.client(read.secret).error(CREATE, { input: { name: 'N', platform: 'p' } });
    expect(w.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('communities across tenants', () => {
  it('treats another tenant’s community id exactly like an unknown id and changes nothing', async () => {
    const other = await signUp(t, 'Other');
    const id = await createCommunity(acme.client, { name: 'Acme only', alignmentScore: 0.4 });
    const snapshot = await t.ds.query(`SELECT * FROM communities WHERE id = $1`, [id]);

    for (const probe of [id, UNKNOWN_ID, 'not-a-uuid']) {
      expect((await other.client.data(ONE, { id: probe })).community).toBeNull();
      const u = await other.client.error(UPDATE, { id: probe, input: { name: 'Stolen' } });
      expect(u.extensions?.code).toBe('NOT_FOUND');
      expect(u.message).toBe(`Community '${probe}' not found`);
      const a = await other.client.error(ARCHIVE, { id: probe });
      expect(a.extensions?.code).toBe('NOT_FOUND');
      const r = await other.client.error(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id } }`, {
        input: { communityId: probe, name: 'Spy' },
      });
      expect(r.extensions?.code).toBe('NOT_FOUND');
      expect(r.message).toBe(`Community '${probe}' not found`);
    }
    expect((await other.client.data(LIST)).communities).toEqual({ totalCount: 0, edges: [] });
    expect(await t.ds.query(`SELECT * FROM communities WHERE id = $1`, [id])).toEqual(snapshot);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM relationships WHERE community_id = $1`, [id]))[0].n).toBe(0);
  });
});
