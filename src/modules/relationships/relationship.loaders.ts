import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import {
  byIdLoader,
  listPerParentLoader,
  nestedCountLoader,
  nestedPageLoader,
  perParentLoader,
  type CountsFetcher,
  type PagesFetcher,
} from '../../platform/sql/batch-loaders.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import type { Projection } from '../../platform/sql/projection.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { IDENTITY_ROW, RELATIONSHIP_ROW, STAGE_CHANGE_ROW } from './relationship.table.js';
import { type Relationship } from './relationship.types.js';
import { relationshipWhere, type RelationshipConditions } from './relationship.sql.js';
import type { RelationshipStageChange } from './relationship.types.js';
import { STRENGTH_SQL } from './strength.js';
import { identityKey, type RelationshipIdentity } from './relationship-identity.types.js';

/** A relationship by id (null when unknown or another tenant's). */
export function relationshipById(scope: TenantScope): DataLoader<string, Relationship | null> {
  return byIdLoader<Relationship>(scope, `SELECT ${RELATIONSHIP_ROW.sql} FROM relationships r WHERE r.id = ANY($1::uuid[])`, RELATIONSHIP_ROW);
}

/** Each relationship's stage changes, oldest first. */
export function stageChangesOf(scope: TenantScope): DataLoader<string, Array<RelationshipStageChange & { _parent: string }>> {
  return listPerParentLoader(
    scope,
    `SELECT ${STAGE_CHANGE_ROW.sql}, s.relationship_id AS "_parent"
       FROM relationship_stage_changes s WHERE s.relationship_id = ANY($1::uuid[])
      ORDER BY s.relationship_id, s.changed_at, s.id`,
    STAGE_CHANGE_ROW,
  );
}

/** Each relationship's strength (STRENGTH_SQL), all requested relationships in one grouped statement. */
export function strengthOf(scope: TenantScope): DataLoader<string, number> {
  return perParentLoader<{ _parent: string; strength: number }, number>(
    scope,
    `SELECT v.relationship_id AS "_parent", ${STRENGTH_SQL} AS strength
       FROM conversations v WHERE v.relationship_id = ANY($1::uuid[]) GROUP BY v.relationship_id`,
    (row) => row?.strength ?? 0,
  );
}

/** The arguments of a `Community.relationships` page: its filter and the columns its selection reads. */
export interface RelationshipPageArgs {
  conditions: RelationshipConditions;
  columns: Projection;
}

/** Pages of `Community.relationships`: one lateral statement per distinct page, filter and selection. */
export function communityRelationshipPages(scope: TenantScope) {
  const fetch: PagesFetcher<RelationshipPageArgs, Relationship> = async (db, parentIds, page, { conditions, columns }) => {
    const params = new SqlParams(parentIds);
    const where = relationshipWhere(conditions, params);
    const k = keysetPage('r', page, params);
    // Each parent's rows come out in the lateral ORDER BY; the loader checks that rather than sorting here.
    const rows = await db.query(
      `SELECT r.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT ${columns.sql}, ${k.micros}, r.community_id AS "_parent" FROM relationships r
            WHERE r.community_id = p.id AND ${where} AND ${k.after} ${k.orderLimit}
         ) r`,
      params.values,
    );
    return columns.hydrate(rows);
  };
  return nestedPageLoader(scope, fetch, (args) => `${JSON.stringify(args.conditions)}|${args.columns.key}`);
}

/** totalCount of `Community.relationships`: one grouped statement per distinct filter. */
export function communityRelationshipTotals(scope: TenantScope) {
  const fetch: CountsFetcher<RelationshipConditions> = (db, parentIds, filter) => {
    const params = new SqlParams(parentIds);
    const where = relationshipWhere(filter, params);
    return db.query(
      `SELECT r.community_id AS "_parent", count(*)::int AS count FROM relationships r
        WHERE r.community_id = ANY($1::uuid[]) AND ${where} GROUP BY r.community_id`,
      params.values,
    );
  };
  return nestedCountLoader(scope, fetch);
}

/**
 * Each relationship's identities: its own handle on its community's platform first, then the ones
 * added, oldest first. An added one equal to the own handle (case-insensitively) shows once.
 */
export function identitiesOf(scope: TenantScope): DataLoader<string, RelationshipIdentity[]> {
  const loader = listPerParentLoader<RelationshipIdentity & { _parent: string }>(
    scope,
    `SELECT ${IDENTITY_ROW.sql}, x._parent FROM (
       SELECT r.id AS _parent, c.platform, r.handle, 0 AS o, r.created_at AS t, r.id
         FROM relationships r JOIN communities c ON c.organization_id = r.organization_id AND c.id = r.community_id
        WHERE r.id = ANY($1::uuid[]) AND r.handle IS NOT NULL
       UNION ALL
       SELECT i.relationship_id, i.platform, i.handle, 1, i.created_at, i.id FROM relationship_identities i WHERE i.relationship_id = ANY($1::uuid[])
     ) x ORDER BY x._parent, x.o, x.t, x.id`,
    IDENTITY_ROW,
  );
  return new DataLoader<string, RelationshipIdentity[]>(async (ids) => {
    const lists = await loader.loadMany(ids);
    return lists.map((list) => {
      if (list instanceof Error) return list;
      const seen = new Set<string>();
      return list
        .filter((i) => {
          const key = identityKey(i);
          return !seen.has(key) && seen.add(key);
        })
        .map(({ platform, handle }) => ({ platform, handle }));
    });
  });
}
