import type { TenantScope } from '../../platform/context.js';
import { afterSql, cursorKeySql } from '../../platform/pagination.js';
import { nestedCountLoader, nestedPageLoader, param } from '../relationships/batch-loaders.js';
import { CONVERSATION_COLUMNS, type Conversation } from './conversation.entity.js';

/** Pages of `Relationship.conversations`: one lateral statement per distinct page. */
export function relationshipConversationPages(scope: TenantScope) {
  return nestedPageLoader<null, Conversation>(scope, (m, parentIds, page) => {
    const params: unknown[] = [parentIds];
    const keyset = afterSql('v', page, params.length + 1);
    params.push(...keyset.params);
    return m.query(
      `SELECT ${CONVERSATION_COLUMNS}, v._cursor AS "_cursor", v.relationship_id AS "_parent"
         FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT v.*, ${cursorKeySql('v')} AS _cursor FROM conversations v
            WHERE v.relationship_id = p.id AND ${keyset.sql}
            ORDER BY v.created_at, v.id LIMIT ${param(params, page.first + 1)}
         ) v
        ORDER BY v.relationship_id, v.created_at, v.id`,
      params,
    );
  });
}

/** totalCount of `Relationship.conversations`, one grouped statement. */
export function relationshipConversationTotals(scope: TenantScope) {
  return nestedCountLoader<null>(scope, (m, parentIds) =>
    m.query(
      `SELECT v.relationship_id AS "_parent", count(*)::int AS count FROM conversations v
        WHERE v.relationship_id = ANY($1::uuid[]) GROUP BY v.relationship_id`,
      [parentIds],
    ),
  );
}
