import { randomUUID } from 'node:crypto';
import { APP_ROLE, TenantSession } from '../../src/db/tenant';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Tenant A');
  b = await signUp(t, 'Tenant B');
  await apiKey(a, ['READ'], 'a-key');
  await apiKey(b, ['READ'], 'b-key');
});
afterAll(() => t.close());

describe('row-level security', () => {
  it('shows an unfiltered SELECT through a request’s manager only that tenant’s rows', async () => {
    const session = new TenantSession(t.ds, a.organizationId);
    const m = (await session.db()).manager;
    const keys: Array<{ organization_id: string }> = await m.query('SELECT * FROM api_keys');
    const orgs: Array<{ id: string }> = await m.query('SELECT * FROM organizations');
    const users: Array<{ id: string }> = await m.query('SELECT * FROM users');
    await session.finish(true);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys.map((k) => k.organization_id))).toEqual(new Set([a.organizationId]));
    expect(orgs.map((o) => o.id)).toEqual([a.organizationId]);
    expect(users.map((u) => u.id)).toEqual([a.userId]);
    const all = await t.ds.query('SELECT count(DISTINCT organization_id)::int AS n FROM api_keys');
    expect(all[0].n).toBe(2);
  });

  it('refuses to write a row of another tenant', async () => {
    const session = new TenantSession(t.ds, a.organizationId);
    const m = (await session.db()).manager;
    await expect(
      m.query(`INSERT INTO api_keys (organization_id, name, prefix, secret_hash, scopes) VALUES ($1, 'x', 'rr_x', '\\x00', '{READ}')`, [
        b.organizationId,
      ]),
    ).rejects.toThrow(/row-level security/);
    await session.finish(false);
  });

  it('matches no row when no tenant is set, also after an earlier transaction set one', async () => {
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN');
      await runner.query(`SELECT set_config('role', '${APP_ROLE}', true), set_config('app.tenant', $1, true)`, [a.organizationId]);
      expect((await runner.query('SELECT * FROM api_keys')).length).toBeGreaterThan(0);
      await runner.query('COMMIT');
      await runner.query('BEGIN');
      await runner.query(`SET LOCAL ROLE ${APP_ROLE}`);
      expect(await runner.query(`SELECT current_setting('app.tenant', true) AS t`)).toEqual([{ t: '' }]);
      expect(await runner.query('SELECT * FROM api_keys')).toEqual([]);
      expect(await runner.query('SELECT * FROM organizations')).toEqual([]);
      await runner.query('COMMIT');
    } finally {
      await runner.release();
    }
  });

  it('runs requests as a role that is no superuser, no owner and has no BYPASSRLS', async () => {
    const [role] = await t.ds.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await t.ds.query(
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1`,
      [APP_ROLE],
    );
    expect(owned).toEqual([]);
  });

  it('forces RLS, with a policy, on every table that has organization_id', async () => {
    const tables: Array<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }> = await t.ds.query(`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
             (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id')
              OR c.relname IN ('organizations', 'users'))`);
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const table of tables) {
      expect({ table: table.relname, rls: table.relrowsecurity, forced: table.relforcerowsecurity, policy: table.policies > 0 }).toEqual({
        table: table.relname,
        rls: true,
        forced: true,
        policy: true,
      });
    }
  });

  it('leads every primary and unique key of tenant tables with organization_id', async () => {
    const keys: Array<{ table: string; index: string; first: string }> = await t.ds.query(`
      SELECT c.relname AS table, i.relname AS index, a.attname AS first
        FROM pg_index x
        JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
       WHERE n.nspname = 'public' AND (x.indisunique OR x.indisprimary)
         AND EXISTS (SELECT 1 FROM pg_attribute o WHERE o.attrelid = c.oid AND o.attname = 'organization_id')`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect({ index: k.index, first: k.first }).toEqual({ index: k.index, first: 'organization_id' });
  });
});

describe('cross-tenant ids', () => {
  it('gives tenant B the same answer for tenant A’s key id as for an unknown id, and changes nothing', async () => {
    const aKey = await apiKey(a, ['READ'], 'target');
    const revoke = `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`;
    const theirs = await b.client.request(revoke, { id: aKey.id });
    const unknownId = randomUUID();
    const unknown = await b.client.request(revoke, { id: unknownId });
    const normalise = (r: typeof theirs, id: string) => ({
      status: r.status,
      data: r.data,
      errors: r.errors?.map((e) => ({ message: e.message.replace(id, '<id>'), code: e.extensions?.code, path: e.path })),
    });
    expect(normalise(theirs, aKey.id)).toEqual(normalise(unknown, unknownId));
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const [row] = await t.ds.query('SELECT revoked_at FROM api_keys WHERE id = $1', [aKey.id]);
    expect(row.revoked_at).toBeNull();
    const listed = await b.client.data('{ apiKeys { id } }');
    expect(listed.apiKeys.map((k: { id: string }) => k.id)).not.toContain(aKey.id);
  });

  it('treats a malformed id like an unknown one', async () => {
    const e = await b.client.error(`mutation { revokeApiKey(id: "not-a-uuid") { id } }`);
    expect(e.extensions?.code).toBe('NOT_FOUND');
  });
});
