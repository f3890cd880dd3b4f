import { Client, type QueryConfig } from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { ownerQuery, preparedStatement, runPrepared } from '../../src/db/prepared-statement';
import { bindTenant, TenantSession } from '../../src/db/tenant';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;
let a: Tenant;
let b: Tenant;
/** A pool of one connection: every session below runs on the same PostgreSQL backend. */
let one: DataSource;

/** No tenant condition of its own: only row-level security keeps other tenants' rows out. */
const ALL_MODELS = preparedStatement('test.all_roi_models', `SELECT organization_id::text AS org, pg_backend_pid() AS pid FROM roi_models`);

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t, 'Tenant A');
  b = await signUp(t, 'Tenant B');
  one = createDataSource(t.db.url, 1);
  await one.initialize();
});
afterAll(async () => {
  await one.destroy();
  await t.close();
});

/** Runs ALL_MODELS as `tenantId` in a request-like session on the one-connection pool. */
async function modelsAs(tenantId: string): Promise<{ orgs: Set<string>; pid: number }> {
  const session = new TenantSession(one, tenantId);
  try {
    const rows = await (await session.db()).query<{ org: string; pid: number }>(ALL_MODELS);
    return { orgs: new Set(rows.map((r) => r.org)), pid: rows[0]?.pid ?? -1 };
  } finally {
    await session.finish(true);
  }
}

/** This connection's prepared statements named like `name` and how often each plan kind ran. */
async function prepared(name: string): Promise<Array<{ name: string; plans: number }>> {
  return ownerQuery(one, `SELECT name, (generic_plans + custom_plans)::int AS plans FROM pg_prepared_statements WHERE name = $1`, [name]);
}

describe('prepared statements and row-level security on a reused connection', () => {
  it.each(['auto', 'force_generic_plan', 'force_custom_plan'])('shows each tenant only its rows from a plan cached for another (plan_cache_mode %s)', async (mode) => {
    await one.query(`SET plan_cache_mode = ${mode}`);
    try {
      const pids = new Set<number>();
      // Owner first (RLS bypassed: its plan has no policy in it), then tenants taking turns.
      const owner = await ownerQuery<{ org: string; pid: number }>(one, ALL_MODELS);
      pids.add(owner[0].pid);
      // The guard below: without row-level security this statement sees both tenants.
      expect(new Set(owner.map((r) => r.org))).toEqual(new Set([a.organizationId, b.organizationId]));
      for (let i = 0; i < 8; i++) {
        const tenant = i % 2 ? b : a;
        const seen = await modelsAs(tenant.organizationId);
        pids.add(seen.pid);
        expect(seen.orgs).toEqual(new Set([tenant.organizationId]));
      }
      // And the owner again after the tenants' plans, on the same backend.
      const again = await ownerQuery<{ org: string; pid: number }>(one, ALL_MODELS);
      expect(new Set(again.map((r) => r.org))).toEqual(new Set([a.organizationId, b.organizationId]));
      pids.add(again[0].pid);
      expect(pids.size).toBe(1);
      // Parsed once on this connection and run from it every time since.
      const [statement] = await prepared(ALL_MODELS.name);
      expect(statement.plans).toBeGreaterThanOrEqual(10);
    } finally {
      await one.query('RESET plan_cache_mode');
    }
  });
});

describe('prepared statements behave as their text does', () => {
  const DUPLICATE_MODEL = preparedStatement('test.duplicate_default_model', `INSERT INTO roi_models (organization_id, id) SELECT organization_id, id FROM roi_models`);

  async function failureOf(run: () => Promise<unknown>): Promise<QueryFailedError & { code?: string }> {
    const e = await run().then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(QueryFailedError);
    return e as QueryFailedError & { code?: string };
  }

  it('fails with the same error (class, code, message, driver error) and leaves the transaction aborted alike', async () => {
    const viaText = new TenantSession(one, a.organizationId);
    const textError = await failureOf(async () => (await viaText.db()).query(DUPLICATE_MODEL.text));
    const textAborted = await failureOf(async () => (await viaText.db()).query(ALL_MODELS.text));
    await viaText.finish(false);

    const viaName = new TenantSession(one, a.organizationId);
    const namedError = await failureOf(async () => (await viaName.db()).query(DUPLICATE_MODEL));
    const namedAborted = await failureOf(async () => (await viaName.db()).query(ALL_MODELS));
    await viaName.finish(false);

    expect(textError.code).toBe('23505');
    for (const [text, named] of [
      [textError, namedError],
      [textAborted, namedAborted],
    ]) {
      expect(named.message).toBe(text.message);
      expect(named.code).toBe(text.code);
      expect(named.query).toBe(text.query);
      expect((named.driverError as Error).constructor).toBe((text.driverError as Error).constructor);
    }
    expect(namedAborted.code).toBe('25P02');
    // The connection is fine for the next tenant.
    expect((await modelsAs(b.organizationId)).orgs).toEqual(new Set([b.organizationId]));
  });

  it('parses again after a Parse that failed (node-postgres records only statements PostgreSQL parsed)', async () => {
    const fresh = preparedStatement('test.parse_in_aborted_transaction', `SELECT count(*)::int AS n FROM roi_models`);
    const session = new TenantSession(one, a.organizationId);
    try {
      const db = await session.db();
      await failureOf(() => db.query(DUPLICATE_MODEL));
      // Its first use: the Parse itself is refused (current transaction is aborted).
      expect((await failureOf(() => db.query(fresh))).code).toBe('25P02');
    } finally {
      await session.finish(false);
    }
    expect(await prepared(fresh.name)).toEqual([]);
    // Recorded as parsed, the next use would skip Parse and fail to bind ("prepared statement does not exist").
    const next = new TenantSession(one, a.organizationId);
    try {
      expect(await (await next.db()).query(fresh)).toEqual([{ n: 1 }]);
    } finally {
      await next.finish(true);
    }
    expect(await prepared(fresh.name)).toEqual([{ name: fresh.name, plans: 1 }]);
  });

  it('keeps a statement parsed in a transaction that rolled back', async () => {
    const fresh = preparedStatement('test.parse_then_roll_back', `SELECT count(*)::int AS n FROM roi_models`);
    const session = new TenantSession(one, b.organizationId);
    expect(await (await session.db()).query(fresh)).toEqual([{ n: 1 }]);
    await session.finish(false);
    expect(await prepared(fresh.name)).toEqual([{ name: fresh.name, plans: 1 }]);
    const next = new TenantSession(one, a.organizationId);
    expect(await (await next.db()).query(fresh)).toEqual([{ n: 1 }]);
    await next.finish(true);
    expect(await prepared(fresh.name)).toEqual([{ name: fresh.name, plans: 2 }]);
  });

  it('never records a statement PostgreSQL refused to parse', async () => {
    const broken = preparedStatement('test.broken', `SELEC 1`);
    for (let i = 0; i < 2; i++) {
      const session = new TenantSession(one, a.organizationId);
      expect((await failureOf(async () => (await session.db()).query(broken))).code).toBe('42601');
      await session.finish(false);
    }
    expect(await prepared(broken.name)).toEqual([]);
  });

  it('answers UPDATE and DELETE as TypeORM does ([rows, rowCount]) and runs in a bindTenant transaction too', async () => {
    const rename = preparedStatement('test.rename_models', `UPDATE roi_models SET updated_at = updated_at RETURNING organization_id::text AS org`);
    const [viaName, viaText] = await one.transaction(async (m) => {
      const db = await bindTenant(m, b.organizationId);
      return [await db.query(rename), await db.query(rename.text)];
    });
    expect(viaName).toEqual(viaText);
    expect(viaName).toEqual([[{ org: b.organizationId }], 1]);
  });

  it('refuses a released runner as TypeORM does', async () => {
    const runner = one.createQueryRunner();
    await runner.release();
    await expect(runPrepared(runner, ALL_MODELS)).rejects.toThrow(/released/);
  });
});

describe('a recordMetrics call', () => {
  it('runs its constant statements prepared: only the tenant binding and COMMIT go as text', async () => {
    await a.client.data(`mutation { defineMetric(input: {key: "hours", name: "Hours", aggregation: SUM}) { id } }`);
    const record = () =>
      a.client.data(`mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) { accepted } }`, {
        p: [{ metricKey: 'hours', value: 2, at: new Date().toISOString() }],
      });
    await record(); // the session's membership is cached from here
    const sent: Array<{ client: Client; name?: string; text: string }> = [];
    const original = Client.prototype.query;
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const first = args[0] as string | QueryConfig;
      if (typeof first === 'string') sent.push({ client: this, text: first });
      else if (first && typeof first === 'object') sent.push({ client: this, name: first.name, text: first.text });
      return (original as (...x: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
    try {
      expect((await record()).recordMetrics.accepted).toBe(1);
    } finally {
      Client.prototype.query = original;
    }
    // The request's connection (the pool's other clients run the job queue's heartbeats meanwhile).
    const begin = sent.find((s) => s.text.startsWith('START TRANSACTION;'))!;
    const ofRequest = sent.filter((s) => s.client === begin.client);
    expect(ofRequest.map((s) => s.name ?? s.text.slice(0, 18))).toEqual([
      'START TRANSACTION;',
      'metrics.look_up_batch',
      'metrics.insert_points',
      'webhooks.emit_events',
      'goals.open_goals_of',
      'audit.insert_event',
      'COMMIT',
    ]);
  });
});
