import type { TenantScope } from '../../platform/context.js';
import { check } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { pageOf } from '../../platform/pagination.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
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
  _micros: string;
}

/** An event as GraphQL shows it, keeping the keyset column its cursor is made of. */
type AuditNode = AuditEvent & { _micros: string };

/** The audit log of the caller's organization (written by platform/audit.ts, never changed). */
export class AuditService {
  constructor(private readonly scope: TenantScope) {}

  /** A page of events, newest first, filtered. */
  async page(first: number | null | undefined, after: string | null | undefined, filter: AuditLogFilter = {}): Promise<Connection<AuditNode>> {
    const page = pageOf(first, after);
    check(!filter.from || !filter.to || filter.from < filter.to, 'filter.to', 'filter.to must be after filter.from');
    // An actor id that is no uuid matches nothing, like any unknown id.
    if (filter.actorId && !isUuid(filter.actorId)) return connectionOf<AuditNode>([], page, async () => 0);
    const params = new SqlParams();
    const where = ['TRUE'];
    if (filter.action) where.push(`a.action = ${params.add(filter.action)}`);
    if (filter.actorId) where.push(`a.actor_id = ${params.add(filter.actorId, 'uuid')}`);
    if (filter.from) where.push(`a.created_at >= ${params.add(filter.from, 'timestamptz')}`);
    if (filter.to) where.push(`a.created_at < ${params.add(filter.to, 'timestamptz')}`);
    const filtered = where.join(' AND ');
    const countParams = params.snapshot();
    const k = keysetPage('a', page, params, { newestFirst: true });
    const db = await this.scope.db();
    const rows = await db.query<AuditRow>(
      `SELECT a.id, a.created_at AS at, a.action, a.actor_kind AS "actorKind", a.actor_id AS "actorId", a.actor_name AS "actorName",
              a.target_id AS "targetId", a.request_id AS "requestId", ${k.micros}
         FROM audit_events a WHERE ${filtered} AND ${k.after} ${k.orderLimit}`,
      params.values,
    );
    const events: AuditNode[] = rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      actor: { kind: r.actorKind, id: r.actorId, name: r.actorName },
      targetId: r.targetId,
      requestId: r.requestId,
      _micros: r._micros,
    }));
    return connectionOf(events, page, async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events a WHERE ${filtered}`, countParams);
      return row.n;
    });
  }
}
