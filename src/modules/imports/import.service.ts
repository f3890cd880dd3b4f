import type { Principal } from '../../platform/auth/principal.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import type { TenantScope } from '../../platform/context.js';
import { ForbiddenError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { afterSql, cursorKeySql, pageOf, toConnection, type ConnectionResult } from '../../platform/pagination.js';
import { IMPORT_JOB_COLUMNS, type ImportJob } from './import.types.js';

/** A page of import jobs; totalCount is counted only when a client reads it. */
export interface ImportJobPage {
  edges: ConnectionResult<ImportJob>['edges'];
  pageInfo: ConnectionResult<ImportJob>['pageInfo'];
  readonly totalCount: Promise<number>;
}

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
    const rows = (await (await this.scope.manager()).query(`SELECT ${IMPORT_JOB_COLUMNS} FROM import_jobs j WHERE j.id = $1`, [id])) as ImportJob[];
    return rows[0] ?? null;
  }

  /** A page of jobs in upload order. */
  async page(first: number | null | undefined, after: string | null | undefined): Promise<ImportJobPage> {
    const page = pageOf(first, after);
    const m = await this.scope.manager();
    const cond = afterSql('j', page, 2);
    const rows = (await m.query(
      `SELECT ${IMPORT_JOB_COLUMNS}, ${cursorKeySql('j')} AS "_cursor" FROM import_jobs j WHERE ${cond.sql}
       ORDER BY j.created_at, j.id LIMIT $1`,
      [page.first + 1, ...cond.params],
    )) as Array<ImportJob & { _cursor: string }>;
    return toConnection(rows, page, async () => {
      const [row] = (await m.query(`SELECT count(*)::int AS n FROM import_jobs`)) as Array<{ n: number }>;
      return row.n;
    }) as unknown as ImportJobPage;
  }
}
