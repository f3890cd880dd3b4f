import { createHash } from 'node:crypto';
import { PASSWORD, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { ACCEPT, INVITE, invite, join, MEMBER_PASSWORD, MEMBERS, newEmail } from './team-builders';

let t: TestServer;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  globex = await signUp(t, 'Globex');
});
afterAll(() => t.close());

const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token organization { id } } }`;
const INVITATIONS = `{ invitations { id email role expiresAt createdAt } }`;
const count = async (sql: string, params: unknown[] = []) => Number((await t.ds.query(sql, params))[0].n);

describe('inviteMember', () => {
  it('answers a token shown once, stores only its SHA-256, and lists the invitation as pending for 7 days', async () => {
    const email = newEmail();
    const data = await acme.client.data(INVITE, { input: { email: email.toUpperCase(), role: 'ANALYST' } });
    const { token, invitation } = data.inviteMember;
    expect(token).toMatch(/^rri_[A-Za-z0-9_-]{43}$/);
    expect(invitation).toMatchObject({ email, role: 'ANALYST' });
    const days = (Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);
    const [row] = await t.ds.query(`SELECT * FROM invitations WHERE id = $1`, [invitation.id]);
    expect(row.token_hash).toEqual(createHash('sha256').update(token).digest());
    expect(JSON.stringify(row)).not.toContain(token);
    const list = (await acme.client.data(INVITATIONS)).invitations;
    expect(list.map((i: { id: string }) => i.id)).toContain(invitation.id);
    expect(JSON.stringify(list)).not.toContain(token);
  });

  it('refuses a current member, a second pending invitation and a bad email, writing nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM invitations`);
    expect(await acme.client.error(INVITE, { input: { email: acme.email, role: 'VIEWER' } })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'email' },
    });
    const email = newEmail();
    await invite(acme, email, 'VIEWER');
    expect(await acme.client.error(INVITE, { input: { email, role: 'ADMIN' } })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await acme.client.error(INVITE, { input: { email: 'not-an-email', role: 'ADMIN' } })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'email' },
    });
    expect(await count(`SELECT count(*) AS n FROM invitations`)).toBe(before + 1);
  });

  it('lets only an OWNER invite an OWNER', async () => {
    const admin = await join(t, acme, 'ADMIN');
    expect(await admin.client.error(INVITE, { input: { email: newEmail(), role: 'OWNER' } })).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(invite(admin, newEmail(), 'ADMIN')).resolves.toBeDefined();
    await expect(invite(acme, newEmail(), 'OWNER')).resolves.toBeDefined();
  });
});

describe('acceptInvitation', () => {
  it('makes a new account with the password, in the invited role, and signs it in', async () => {
    const email = newEmail('new');
    const { token } = await invite(acme, email, 'VIEWER');
    const p = (await t.client().data(ACCEPT, { input: { token, password: MEMBER_PASSWORD } })).acceptInvitation;
    expect(p).toMatchObject({ user: { email }, organization: { id: acme.organizationId } });
    const viewer = (await t.client(p.token).data(`{ viewer { role scopes organization { id } } }`)).viewer;
    expect(viewer).toEqual({ role: 'VIEWER', scopes: ['READ'], organization: { id: acme.organizationId } });
    const logIn = await t.client().data(LOG_IN, { input: { email, password: MEMBER_PASSWORD } });
    expect(logIn.logIn.organization.id).toBe(acme.organizationId);
  });

  it('adds an existing account when the password is its own; logIn then picks the organization by slug', async () => {
    const { token } = await invite(acme, globex.email, 'ANALYST');
    const wrong = await t.client().error(ACCEPT, { input: { token, password: 'not the password at all' } });
    expect(wrong.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await count(`SELECT count(*) AS n FROM memberships WHERE user_id = $1`, [globex.userId])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM invitations WHERE accepted_at IS NOT NULL AND email = $1`, [globex.email])).toBe(0);

    const p = (await t.client().data(ACCEPT, { input: { token, password: PASSWORD } })).acceptInvitation;
    expect(p.user.id).toBe(globex.userId);
    expect(p.organization.id).toBe(acme.organizationId);
    for (const [slug, id] of [
      [acme.organizationSlug, acme.organizationId],
      [globex.organizationSlug, globex.organizationId],
    ]) {
      const data = await t.client().data(LOG_IN, { input: { email: globex.email, password: PASSWORD, organizationSlug: slug } });
      expect(data.logIn.organization.id).toBe(id);
    }
  });

  it('refuses a used, revoked, expired or unknown token with BAD_USER_INPUT and its reason, writing nothing', async () => {
    const used = await invite(acme, newEmail(), 'VIEWER');
    await t.client().data(ACCEPT, { input: { token: used.token, password: MEMBER_PASSWORD } });
    const revoked = await invite(acme, newEmail(), 'VIEWER');
    await acme.client.data(`mutation ($id: ID!) { revokeInvitation(id: $id) { id } }`, { id: revoked.id });
    const expiredEmail = newEmail();
    const expired = await invite(acme, expiredEmail, 'VIEWER');
    await t.ds.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);

    const users = await count(`SELECT count(*) AS n FROM users`);
    const members = await count(`SELECT count(*) AS n FROM memberships`);
    for (const [token, reason] of [
      [used.token, 'USED'],
      [revoked.token, 'REVOKED'],
      [expired.token, 'EXPIRED'],
      [`rri_${'A'.repeat(43)}`, 'UNKNOWN'],
    ]) {
      const error = await t.client().error(ACCEPT, { input: { token, password: MEMBER_PASSWORD } });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token', reason });
    }
    expect(await count(`SELECT count(*) AS n FROM users`)).toBe(users);
    expect(await count(`SELECT count(*) AS n FROM memberships`)).toBe(members);
    expect((await acme.client.data(INVITATIONS)).invitations.map((i: { id: string }) => i.id)).not.toEqual(
      expect.arrayContaining([used.id]),
    );
  });

  it('works once when sent twice at the same time', async () => {
    const { token } = await invite(acme, newEmail(), 'VIEWER');
    const results = await Promise.all([1, 2].map(() => t.client().request(ACCEPT, { input: { token, password: MEMBER_PASSWORD } })));
    expect(results.filter((r) => r.data?.acceptInvitation).length).toBe(1);
    expect(results.find((r) => r.errors)?.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('stops checking passwords of an account after 10 wrong ones (RATE_LIMITED), even with the right one', async () => {
    const target = await signUp(t, 'Target');
    const { token } = await invite(globex, target.email, 'VIEWER');
    for (let i = 0; i < 10; i++) {
      const e = await t.client().error(ACCEPT, { input: { token, password: `guess number ${i}` } });
      expect(e.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const limited = await t.client().error(ACCEPT, { input: { token, password: PASSWORD } });
    expect(limited.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM memberships WHERE user_id = $1`, [target.userId])).toBe(1);
  });

  it('refuses a short password for a new account', async () => {
    const { token } = await invite(acme, newEmail(), 'VIEWER');
    expect(await t.client().error(ACCEPT, { input: { token, password: 'short' } })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'password' },
    });
  });
});

describe('tenant isolation', () => {
  it('never shows or revokes another organization’s invitation, which behaves like an unknown id', async () => {
    const theirs = await invite(globex, newEmail(), 'VIEWER');
    expect(JSON.stringify((await acme.client.data(INVITATIONS)).invitations)).not.toContain(theirs.id);
    const REVOKE = `mutation ($id: ID!) { revokeInvitation(id: $id) { id } }`;
    const cross = await acme.client.error(REVOKE, { id: theirs.id });
    const unknown = await acme.client.error(REVOKE, { id: '00000000-0000-4000-8000-000000000000' });
    expect(cross.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.extensions?.code).toBe('NOT_FOUND');
    expect((await globex.client.data(INVITATIONS)).invitations.map((i: { id: string }) => i.id)).toContain(theirs.id);
  });

  it('lists only the organization’s own members', async () => {
    const data = await acme.client.data(MEMBERS, { first: 100 });
    const ids = data.members.edges.map((e: { node: { user: { id: string } } }) => e.node.user.id);
    expect(ids).toContain(acme.userId);
    const globexOnly = (await globex.client.data(MEMBERS, { first: 100 })).members.edges.map((e: { node: { user: { id: string } } }) => e.node.user.id);
    expect(globexOnly).toContain(globex.userId);
    expect(globexOnly).not.toContain(acme.userId);
  });
});
