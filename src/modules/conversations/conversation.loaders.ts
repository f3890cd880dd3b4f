import type { TenantScope } from '../../platform/context.js';
import { afterSql } from '../../platform/pagination.js';
import { nestedCountLoader, nestedPageLoader, param, type CountsFetcher, type PagesFetcher } from '../../platform/sql/batch-loaders.js';
import { keysetMicros, type Projection } from '../../platform/sql/projection.js';
import type { Conversation } from './conversation.entity.js';

/** Pages of `Relationship.conversations`: one lateral statement per distinct page and selection (`filter` is the columns). */
export function relationshipConversationPages(scope: TenantScope) {
  const fetch: PagesFetcher<Projection, Conversation> = async (m, parentIds, page, columns) => {
    const params: unknown[] = [parentIds];
    const keyset = afterSql('v', page, params.length + 1);
    params.push(...keyset.params);
    // Each parent's rows come out in the lateral ORDER BY; the loader checks that rather than sorting here.
    const rows = await m.query(
      `SELECT v.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT ${columns.sql}, ${keysetMicros('v')} AS "_micros", v.relationship_id AS "_parent" FROM conversations v
            WHERE v.relationship_id = p.id AND ${keyset.sql}
            ORDER BY v.created_at, v.id LIMIT ${param(params, page.first + 1)}
         ) v`,
      params,
    );
    return columns.hydrate(rows);
  };
  return nestedPageLoader<Projection, Conversation>(scope, fetch, (columns) => columns.key);
}

/** totalCount of `Relationship.conversations`, one grouped statement. */
export function relationshipConversationTotals(scope: TenantScope) {
  const fetch: CountsFetcher<null> = (m, parentIds) =>
    m.query(
      `SELECT v.relationship_id AS "_parent", count(*)::int AS count FROM conversations v
        WHERE v.relationship_id = ANY($1::uuid[]) GROUP BY v.relationship_id`,
      [parentIds],
    );
  return nestedCountLoader<null>(scope, fetch, () => '');
}
