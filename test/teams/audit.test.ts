import { Client } from 'pg';
import { apiKey, PASSWORD, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { ACCEPT, invite, join, LOG_OUT, MEMBER_PASSWORD, newEmail, UPDATE_ROLE } from './team-builders';

let t: TestServer;
let acme: Tenant;
let globex: Tenant;

const AUDIT = `query ($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id at action actor { kind id name } targetId requestId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Event = { id: string; at: string; action: string; actor: { kind: string; id: string; name: string }; targetId: string | null; requestId: string };
const events = async (who: Tenant, filter?: Record<string, unknown>, first = 100): Promise<Event[]> =>
  (await who.client.data(AUDIT, { first, filter })).auditLog.edges.map((e: { node: Event }) => e.node);
const CREATE_COMMUNITY = `mutation ($name: String!) { createCommunity(input: {name: $name, platform: "discourse"}) { id } }`;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
});
afterAll(() => t.close());

describe('one event per mutation', () => {
  it('records who did what to what, in which request, newest first', async () => {
    const requestId = 'audit-test-request-0001';
    const res = await acme.client.withHeaders({ 'x-request-id': requestId }).request(CREATE_COMMUNITY, { name: 'Forum' });
    const communityId = res.data!.createCommunity.id;
    const [latest] = await events(acme, undefined, 1);
    expect(latest).toMatchObject({
      action: 'createCommunity',
      actor: { kind: 'USER', id: acme.userId, name: acme.email },
      targetId: communityId,
      requestId,
    });
    const key = await apiKey(acme, ['WRITE'], 'ingest robot');
    const viaKey = await t.client(key.secret).data(CREATE_COMMUNITY, { name: 'Discord' });
    const [byKey, keyCreated] = await events(acme, undefined, 2);
    expect(byKey).toMatchObject({ action: 'createCommunity', actor: { kind: 'API_KEY', id: key.id, name: 'ingest robot' }, targetId: viaKey.createCommunity.id });
    expect(keyCreated).toMatchObject({ action: 'createApiKey', actor: { kind: 'USER', id: acme.userId }, targetId: key.id });
    expect(Date.parse(byKey.at)).toBeGreaterThanOrEqual(Date.parse(keyCreated.at));
  });

  it('records the public mutations in the organization they concern, and the team ones', async () => {
    const org = await signUp(t, 'Audited');
    const email = newEmail();
    const { token, id: invitationId } = await invite(org, email, 'VIEWER');
    const accepted = (await t.client().data(ACCEPT, { input: { token, password: MEMBER_PASSWORD } })).acceptInvitation;
    await org.client.data(UPDATE_ROLE, { userId: accepted.user.id, role: 'ANALYST' });
    await t.client().data(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: org.email, password: PASSWORD } });
    await t.client(accepted.token).data(LOG_OUT);
    const log = await events(org);
    expect(log.map((e) => [e.action, e.actor.id, e.targetId])).toEqual([
      ['logOut', accepted.user.id, null],
      ['logIn', org.userId, org.userId],
      ['updateMemberRole', org.userId, accepted.user.id],
      ['acceptInvitation', accepted.user.id, invitationId],
      ['inviteMember', org.userId, invitationId],
      ['signUp', org.userId, org.userId],
    ]);
  });

  it('leaves no event for a mutation that fails, or whose operation rolls back', async () => {
    const before = (await acme.client.data(AUDIT, { first: 1 })).auditLog.totalCount;
    const doc = `mutation { a: createCommunity(input: {name: "Rolled back", platform: "x"}) { id } b: deleteGoal(id: "00000000-0000-4000-8000-000000000000") }`;
    const res = await acme.client.request(doc);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await acme.client.error(CREATE_COMMUNITY, { name: '' })).extensions?.code).toBe('BAD_USER_INPUT');
    const viewer = await join(t, acme, 'VIEWER');
    expect((await viewer.client.error(CREATE_COMMUNITY, { name: 'Nope' })).extensions?.code).toBe('FORBIDDEN');
    const after = (await acme.client.data(AUDIT, { first: 1 })).auditLog.totalCount;
    expect(after).toBe(before + 2); // inviteMember and acceptInvitation of the viewer, nothing else
    const names = await t.ds.query(`SELECT count(*)::int AS n FROM communities WHERE name = 'Rolled back'`);
    expect(names[0].n).toBe(0);
  });
});

describe('reading the log', () => {
  it('filters by action, actor and time, and pages newest first without gaps or repeats', async () => {
    const org = await signUp(t, 'Paged');
    const key = await apiKey(org, ['WRITE']);
    const start = new Date().toISOString();
    for (let i = 0; i < 5; i++) await org.client.data(CREATE_COMMUNITY, { name: `c${i}` });
    for (let i = 0; i < 2; i++) await t.client(key.secret).data(CREATE_COMMUNITY, { name: `k${i}` });
    const all = await events(org);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await org.client.data(AUDIT, { first: 3, after })).auditLog;
      seen.push(...page.edges.map((e: { node: Event }) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(all.map((e) => e.id));
    const times = all.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect((await events(org, { action: 'createCommunity' })).length).toBe(7);
    expect((await events(org, { actorId: key.id })).map((e) => e.actor.kind)).toEqual(['API_KEY', 'API_KEY']);
    expect((await events(org, { actorId: org.userId, action: 'createCommunity' })).length).toBe(5);
    expect((await events(org, { from: start })).length).toBe(7);
    expect((await events(org, { to: start })).map((e) => e.action).sort()).toEqual(['createApiKey', 'signUp']);
    expect((await org.client.data(AUDIT, { filter: { action: 'createCommunity' } })).auditLog.totalCount).toBe(7);
    expect(await events(org, { actorId: 'not-a-uuid' })).toEqual([]);
    expect((await org.client.error(AUDIT, { filter: { from: start, to: start } })).extensions?.code).toBe('BAD_USER_INPUT');
    expect((await org.client.error(AUDIT, { after: 'garbage' })).extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is for ADMIN only', async () => {
    const analyst = await join(t, acme, 'ANALYST');
    expect((await analyst.client.error(AUDIT)).extensions?.code).toBe('FORBIDDEN');
    const admin = await join(t, acme, 'ADMIN');
    await expect(admin.client.data(AUDIT)).resolves.toBeDefined();
  });

  it('shows an organization only its own events: another’s actor id matches nothing', async () => {
    await globex.client.data(CREATE_COMMUNITY, { name: 'Globex forum' });
    const mine = await events(acme);
    expect(mine.some((e) => e.actor.id === globex.userId)).toBe(false);
    expect(await events(acme, { actorId: globex.userId })).toEqual([]);
    expect((await events(globex)).every((e) => e.actor.id === globex.userId)).toBe(true);
  });
});

describe('what the log is', () => {
  it('is append-only for the application role: no UPDATE, no DELETE', async () => {
    const client = new Client({ connectionString: t.db.url });
    await client.connect();
    try {
      for (const statement of [`UPDATE audit_events SET action = 'forged'`, `DELETE FROM audit_events`, `TRUNCATE audit_events`]) {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('role', 'rapport_app', true), set_config('app.tenant', $1, true)`, [acme.organizationId]);
        await expect(client.query(statement)).rejects.toThrow(/permission denied/);
        await client.query('ROLLBACK');
      }
      const grants = await client.query(
        `SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = 'rapport_app' AND table_name = 'audit_events' ORDER BY 1`,
      );
      expect(grants.rows.map((r) => r.privilege_type)).toEqual(['INSERT', 'SELECT']);
    } finally {
      await client.end();
    }
  });

  it('holds no password, token or secret', async () => {
    const org = await signUp(t, 'Secrets');
    const key = await apiKey(org, ['READ']);
    const { token } = await invite(org, newEmail(), 'VIEWER');
    const accepted = (await t.client().data(ACCEPT, { input: { token, password: MEMBER_PASSWORD } })).acceptInvitation;
    const login = await t.client().data(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`, {
      input: { email: org.email, password: PASSWORD },
    });
    const rows = await t.ds.query(`SELECT * FROM audit_events WHERE organization_id = $1`, [org.organizationId]);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const text = JSON.stringify(rows);
    for (const secret of [PASSWORD, MEMBER_PASSWORD, key.secret, token, accepted.token, login.logIn.token, org.token]) {
      expect(text).not.toContain(secret);
    }
  });
});
