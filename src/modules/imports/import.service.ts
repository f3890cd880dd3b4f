import type { Principal } from '../../platform/auth/principal.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import type { TenantScope } from '../../platform/context.js';
import { ForbiddenError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { pageOf } from '../../platform/pagination.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { IMPORT_JOB_COLUMNS, type ImportJob } from './import.types.js';

/** A page of import jobs; totalCount is counted only when a client reads it. */
export type ImportJobPage = Connection<ImportJob>;

/** Reading jobs takes READ or INGEST (the partner that uploads may follow its own jobs). */
export function assertMayReadJobs(principal: Principal): void {
  if (!principal.scopes.has(ApiKeyScope.READ) && !principal.scopes.has(ApiKeyScope.INGEST)) {
    throw new ForbiddenError('Import jobs need the READ or INGEST scope');
  }
}

/** The organization's import jobs. */
export class ImportJobService {
  constructor(private readonly scope: TenantScope) {
    assertMayReadJobs(scope.principal);
  }

  /** One job, or null when unknown, malformed or another tenant's. */
  async find(id: string): Promise<ImportJob | null> {
    if (!isUuid(id)) return null;
    const rows = (await (await this.scope.db()).query(`SELECT ${IMPORT_JOB_COLUMNS} FROM import_jobs j WHERE j.id = $1`, [id])) as ImportJob[];
    return rows[0] ?? null;
  }

  /** A page of jobs in upload order. */
  async page(first: number | null | undefined, after: string | null | undefined): Promise<ImportJobPage> {
    const page = pageOf(first, after);
    const db = await this.scope.db();
    const params = new SqlParams();
    const k = keysetPage('j', page, params);
    const rows = await db.query<ImportJob>(`SELECT ${IMPORT_JOB_COLUMNS}, ${k.micros} FROM import_jobs j WHERE ${k.after} ${k.orderLimit}`, params.values);
    return connectionOf(rows, page, async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM import_jobs`);
      return row.n;
    });
  }
}
