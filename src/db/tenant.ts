import type { ClientBase, QueryResult } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isUuid } from './ids.js';
import { runPrepared, type PreparedStatement } from './prepared-statement.js';

/** The role that application queries run as: not a superuser, not the owner, no BYPASSRLS. */
export const APP_ROLE = 'rapport_app';

/** The setting that row-level security policies read the current tenant from. */
export const TENANT_SETTING = 'app.tenant';

function assertTenant(tenantId: string): void {
  if (!tenantId || !isUuid(tenantId)) throw new Error('a tenant-scoped transaction needs a tenant id');
}

/** Only `bindTenant` holds this, so only it can make a TenantDb. */
const BOUND: unique symbol = Symbol('bound by bindTenant');

/**
 * A transaction bound to one tenant: its EntityManager runs as the application role with
 * row-level security set to `tenantId`, and `tenantId` is the tenant it was bound to (for the
 * `organization_id` of inserted rows and the tenant-leading index conditions). Made only by
 * `bindTenant`, so the two can never disagree.
 */
export class TenantDb {
  /** Use `bindTenant`. */
  constructor(
    token: typeof BOUND,
    readonly manager: EntityManager,
    readonly tenantId: string,
  ) {
    if (token !== BOUND) throw new Error('a TenantDb is made only by bindTenant');
  }

  /**
   * Runs one statement in the tenant's transaction and returns its rows. A PreparedStatement (a
   * declared constant) runs as a named statement: parsed once per connection, same rows and errors.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<T = any>(sql: string | PreparedStatement, params?: unknown[]): Promise<T[]> {
    if (typeof sql === 'string') return this.manager.query(sql, params);
    // bindTenant and beginBound bind a transaction, so the manager always has its runner.
    const runner = this.manager.queryRunner;
    return runner ? runPrepared<T[]>(runner, sql, params) : this.manager.query(sql.text, params);
  }
}

/**
 * Binds the transaction of `manager` to `tenantId`: from here on it runs as the application role
 * and sees only that tenant's rows. Both settings are transaction-local, so a pooled connection
 * carries nothing to its next user. The one place that sets them (requests, subscriptions, sign-up).
 */
export async function bindTenant(manager: EntityManager, tenantId: string): Promise<TenantDb> {
  assertTenant(tenantId);
  await manager.query(`SELECT set_config('role', '${APP_ROLE}', true), set_config('${TENANT_SETTING}', $1, true)`, [tenantId]);
  return new TenantDb(BOUND, manager, tenantId.toLowerCase());
}

/** The statement that binds the current transaction to `tenantId` (checked to be a UUID, so written in). */
function bindingSql(tenantId: string): string {
  assertTenant(tenantId);
  return `SELECT set_config('role', '${APP_ROLE}', true), set_config('${TENANT_SETTING}', '${tenantId.toLowerCase()}', true)`;
}

/**
 * Starts the runner's transaction and binds it to `tenantId` in one round trip: both statements go
 * as one simple query (no parameters there, so the tenant id, checked to be a UUID, is written in).
 * The runner is then in the state `startTransaction` leaves it in (no transaction subscribers
 * exist), so commit, rollback and nested transactions work as usual.
 */
async function beginBound(runner: QueryRunner, tenantId: string): Promise<TenantDb> {
  const tenant = tenantId.toLowerCase();
  await runner.query(`START TRANSACTION; ${bindingSql(tenantId)}`);
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = true;
  state.transactionDepth = 1;
  return new TenantDb(BOUND, runner.manager, tenant);
}

/**
 * One request's tenant-scoped transaction, opened on first use and ended by `finish`.
 * Callbacks given to `afterCommit` run only once the transaction has committed.
 */
export class TenantSession {
  private bound?: Promise<{ runner: QueryRunner; db: TenantDb }>;
  private readonly committed: Array<() => void> = [];
  private done = false;

  constructor(
    private readonly ds: DataSource,
    readonly tenantId: string,
  ) {
    assertTenant(tenantId);
  }

  /** The request's TenantDb; every statement through it sees only this tenant's rows. */
  async db(): Promise<TenantDb> {
    if (this.done) throw new Error('the request transaction has already ended');
    this.bound ??= this.open();
    return (await this.bound).db;
  }

  /**
   * Runs one read-only statement that takes no parameters as this tenant and returns its rows.
   * In the request's transaction when that is open; otherwise in one round trip: the binding and
   * the statement go as one simple query, which PostgreSQL runs as one implicit transaction, so
   * the binding is transaction-local as in `beginBound`, and a failure leaves nothing open and
   * does not abort the request's transaction.
   */
  async readOnce<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    if (this.done) throw new Error('the request transaction has already ended');
    if (this.bound) return (await this.db()).query<T>(sql);
    const runner = this.ds.createQueryRunner();
    const client = (await runner.connect()) as ClientBase;
    try {
      const results = (await client.query(`${bindingSql(this.tenantId)}; ${sql}`)) as unknown as QueryResult[];
      return results[1].rows as T[];
    } finally {
      await runner.release();
    }
  }

  /** Registers work (publishing events) to run after a successful commit. */
  afterCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  /** Commits (ok) or rolls back, releases the connection, then runs the after-commit callbacks. */
  async finish(ok: boolean): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.bound) {
      const { runner } = await this.bound;
      try {
        if (ok) await runner.commitTransaction();
        else await runner.rollbackTransaction();
      } finally {
        await runner.release();
      }
    }
    if (ok) this.committed.forEach((fn) => fn());
  }

  private async open(): Promise<{ runner: QueryRunner; db: TenantDb }> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      return { runner, db: await beginBound(runner, this.tenantId) };
    } catch (e) {
      await runner.release();
      throw e;
    }
  }
}

/**
 * Runs `fn` in a transaction of its own bound to `tenantId`, committed when it returns and rolled
 * back when it throws: for tenant work outside a request (jobs, the command line).
 */
export function inTenantTransaction<T>(ds: DataSource, tenantId: string, fn: (db: TenantDb) => Promise<T>): Promise<T> {
  return ds.transaction(async (manager) => fn(await bindTenant(manager, tenantId)));
}
