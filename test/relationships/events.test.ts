import { DATA_CHANGED, type DataChangedEvent } from '../../src/modules/communities/community.events';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let acme: Tenant;
let events: DataChangedEvent[];
let stop: () => void;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  stop = t.server.app.pubsub.subscribe(acme.organizationId, DATA_CHANGED, (e) => events.push(e as DataChangedEvent));
});
afterAll(async () => {
  stop();
  await t.close();
});
beforeEach(() => {
  events = [];
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('dataChanged events', () => {
  it('publishes one event per write after commit, stage changes included', async () => {
    const c = (await acme.client.data(`mutation { createCommunity(input: { name: "C", platform: "forum" }) { id updatedAt } }`)).createCommunity;
    const r = (
      await acme.client.data(`mutation ($c: ID!) { createRelationship(input: { communityId: $c, name: "R" }) { id createdAt } }`, { c: c.id })
    ).createRelationship;
    await acme.client.data(`mutation ($r: ID!) { updateRelationship(id: $r, input: { stage: LEAD }) { id } }`, { r: r.id });
    await acme.client.data(`mutation ($r: ID!) { updateRelationship(id: $r, input: { name: "R2" }) { id } }`, { r: r.id });
    const v = (
      await acme.client.data(`mutation ($r: ID!) { logConversation(input: { relationshipId: $r, occurredAt: "2026-01-02T03:04:05.000Z" }) { id } }`, {
        r: r.id,
      })
    ).logConversation;
    await acme.client.data(`mutation ($c: ID!) { updateCommunity(id: $c, input: { qualified: true }) { id } }`, { c: c.id });
    await acme.client.data(`mutation ($c: ID!) { archiveCommunity(id: $c) { id } }`, { c: c.id });
    await settle();
    expect(events.map((e) => [e.kind, e.communityId])).toEqual([
      ['community', c.id],
      ['relationship', c.id],
      ['stage-change', c.id],
      ['relationship', c.id],
      ['stage-change', c.id],
      ['relationship', c.id],
      ['conversation', c.id],
      ['community', c.id],
      ['community', c.id],
    ]);
    expect(events[0]).toEqual({ kind: 'community', id: c.id, communityId: c.id, at: c.updatedAt });
    expect(events[1]).toMatchObject({ id: r.id, at: r.createdAt });
    expect(events[6]).toEqual({ kind: 'conversation', id: v.id, communityId: c.id, at: '2026-01-02T03:04:05.000Z' });
  });

  it('publishes nothing for an operation that failed, and writes nothing', async () => {
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM communities`))[0].n;
    const res = await acme.client.request(`mutation {
      a: createCommunity(input: { name: "Fine", platform: "forum" }) { id }
      b: createCommunity(input: { name: "Bad", platform: "forum", alignmentScore: 2 }) { id }
    }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'alignmentScore' });
    await settle();
    expect(events).toEqual([]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM communities`))[0].n).toBe(before);
  });
});
