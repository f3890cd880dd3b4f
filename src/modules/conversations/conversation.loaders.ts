import type { TenantScope } from '../../platform/context.js';
import { nestedCountLoader, nestedPageLoader, type CountsFetcher, type PagesFetcher } from '../../platform/sql/batch-loaders.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import type { Projection } from '../../platform/sql/projection.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import type { Conversation } from './conversation.types.js';

/** Pages of `Relationship.conversations`: one lateral statement per distinct page and selection (`filter` is the columns). */
export function relationshipConversationPages(scope: TenantScope) {
  const fetch: PagesFetcher<Projection, Conversation> = async (db, parentIds, page, columns) => {
    const params = new SqlParams(parentIds);
    const k = keysetPage('v', page, params);
    // Each parent's rows come out in the lateral ORDER BY; the loader checks that rather than sorting here.
    const rows = await db.query(
      `SELECT v.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT ${columns.sql}, ${k.micros}, v.relationship_id AS "_parent" FROM conversations v
            WHERE v.relationship_id = p.id AND ${k.after} ${k.orderLimit}
         ) v`,
      params.values,
    );
    return columns.hydrate(rows);
  };
  return nestedPageLoader<Projection, Conversation>(scope, fetch, (columns) => columns.key);
}

/** totalCount of `Relationship.conversations`, one grouped statement. */
export function relationshipConversationTotals(scope: TenantScope) {
  const fetch: CountsFetcher<null> = (db, parentIds) =>
    db.query(
      `SELECT v.relationship_id AS "_parent", count(*)::int AS count FROM conversations v
        WHERE v.relationship_id = ANY($1::uuid[]) GROUP BY v.relationship_id`,
      [parentIds],
    );
  return nestedCountLoader<null>(scope, fetch, () => '');
}
