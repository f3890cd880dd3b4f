import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isUuid } from '../platform/ids.js';

/** The role that application queries run as: not a superuser, not the owner, no BYPASSRLS. */
export const APP_ROLE = 'rapport_app';

/** The setting that row-level security policies read the current tenant from. */
export const TENANT_SETTING = 'app.tenant';


function assertTenant(tenantId: string): void {
  if (!tenantId || !isUuid(tenantId)) throw new Error('a tenant-scoped transaction needs a tenant id');
}

async function scope(runner: QueryRunner, tenantId: string): Promise<void> {
  // Both settings are transaction-local, so a pooled connection carries nothing to its next user.
  await runner.query(`SELECT set_config('role', '${APP_ROLE}', true), set_config('${TENANT_SETTING}', $1, true)`, [
    tenantId,
  ]);
}

/** Runs `fn` in one transaction as the application role with row-level security bound to `tenantId`. */
export async function inTenant<T>(ds: DataSource, tenantId: string, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  assertTenant(tenantId);
  return ds.transaction(async (manager) => {
    await scope(manager.queryRunner!, tenantId);
    return fn(manager);
  });
}

/**
 * One request's tenant-scoped transaction, opened on first use and ended by `finish`.
 * Callbacks given to `afterCommit` run only once the transaction has committed.
 */
export class TenantSession {
  private runner?: Promise<QueryRunner>;
  private readonly committed: Array<() => void> = [];
  private done = false;

  constructor(private readonly ds: DataSource, readonly tenantId: string) {
    assertTenant(tenantId);
  }

  /** The request's EntityManager; every statement through it sees only this tenant's rows. */
  async manager(): Promise<EntityManager> {
    if (this.done) throw new Error('the request transaction has already ended');
    this.runner ??= this.open();
    return (await this.runner).manager;
  }

  /** Registers work (publishing events) to run after a successful commit. */
  afterCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  /** Commits (ok) or rolls back, releases the connection, then runs the after-commit callbacks. */
  async finish(ok: boolean): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (!this.runner) {
      if (ok) this.committed.forEach((fn) => fn());
      return;
    }
    const runner = await this.runner;
    try {
      if (ok) await runner.commitTransaction();
      else await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    if (ok) this.committed.forEach((fn) => fn());
  }

  private async open(): Promise<QueryRunner> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await scope(runner, this.tenantId);
    } catch (e) {
      await runner.release();
      throw e;
    }
    return runner;
  }
}
