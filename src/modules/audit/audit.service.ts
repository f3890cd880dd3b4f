import type { TenantScope } from '../../platform/context.js';
import { check } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { cursorKeySql, pageOf, toConnection, type ConnectionResult } from '../../platform/pagination.js';
import type { AuditEvent, AuditLogFilter } from './audit.types.js';

interface AuditRow {
  id: string;
  at: Date;
  action: string;
  actorKind: AuditEvent['actor']['kind'];
  actorId: string;
  actorName: string;
  targetId: string | null;
  requestId: string;
  _cursor: string;
}

/** The audit log of the caller's organization (written by platform/audit.ts, never changed). */
export class AuditService {
  constructor(private readonly scope: TenantScope) {}

  /** A page of events, newest first, filtered. */
  async page(first: number | null | undefined, after: string | null | undefined, filter: AuditLogFilter = {}): Promise<ConnectionResult<AuditEvent>> {
    const page = pageOf(first, after);
    check(!filter.from || !filter.to || filter.from < filter.to, 'filter.to', 'filter.to must be after filter.from');
    // An actor id that is no uuid matches nothing, like any unknown id.
    if (filter.actorId !== undefined && filter.actorId !== null && !isUuid(filter.actorId)) {
      return toConnection([], page, async () => 0);
    }
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (filter.action) add((n) => `a.action = $${n}`, filter.action);
    if (filter.actorId) add((n) => `a.actor_id = $${n}::uuid`, filter.actorId);
    if (filter.from) add((n) => `a.created_at >= $${n}`, filter.from);
    if (filter.to) add((n) => `a.created_at < $${n}`, filter.to);
    const filtered = where.length ? where.join(' AND ') : 'TRUE';
    const keyset = page.after
      ? `(a.created_at, a.id) < (timestamptz 'epoch' + $${params.length + 1}::bigint * interval '1 microsecond', $${params.length + 2}::uuid)`
      : 'TRUE';
    const m = await this.scope.manager();
    const rows = (await m.query(
      `SELECT a.id, a.created_at AS at, a.action, a.actor_kind AS "actorKind", a.actor_id AS "actorId", a.actor_name AS "actorName",
              a.target_id AS "targetId", a.request_id AS "requestId", ${cursorKeySql('a')} AS "_cursor"
         FROM audit_events a WHERE ${filtered} AND ${keyset}
        ORDER BY a.created_at DESC, a.id DESC LIMIT $${params.length + (page.after ? 3 : 1)}`,
      [...params, ...(page.after ? [page.after.micros, page.after.id] : []), page.first + 1],
    )) as AuditRow[];
    const events = rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      actor: { kind: r.actorKind, id: r.actorId, name: r.actorName },
      targetId: r.targetId,
      requestId: r.requestId,
      _cursor: r._cursor,
    })) as Array<AuditEvent & { _cursor: string }>;
    return toConnection(events, page, async () => {
      const [row] = (await m.query(`SELECT count(*)::int AS n FROM audit_events a WHERE ${filtered}`, params)) as Array<{ n: number }>;
      return row.n;
    });
  }
}
