import type DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { afterSql, cursorKeySql } from '../../platform/pagination.js';
import type { User } from '../members/user.entity.js';
import { byIdLoader, listPerParentLoader, nestedCountLoader, nestedPageLoader, param, perParentLoader } from './batch-loaders.js';
import { RELATIONSHIP_COLUMNS, type Relationship } from './relationship.entity.js';
import { relationshipWhere, type RelationshipConditions } from './relationship.sql.js';
import type { RelationshipStageChange } from './stage-change.entity.js';
import { STRENGTH_SQL } from './strength.js';

/** A relationship by id (null when unknown or another tenant's). */
export function relationshipById(scope: TenantScope): DataLoader<string, Relationship | null> {
  return byIdLoader<Relationship>(scope, `SELECT ${RELATIONSHIP_COLUMNS} FROM relationships r WHERE r.id = ANY($1::uuid[])`);
}

/** A member by id; row-level security shows only the organization's own members. */
export function memberById(scope: TenantScope): DataLoader<string, User | null> {
  return byIdLoader<User>(scope, `SELECT u.id, u.email, u.created_at AS "createdAt" FROM users u WHERE u.id = ANY($1::uuid[])`);
}

/** Each relationship's stage changes, oldest first. */
export function stageChangesOf(scope: TenantScope): DataLoader<string, Array<RelationshipStageChange & { _parent: string }>> {
  return listPerParentLoader(
    scope,
    `SELECT s.id, s.relationship_id AS "_parent", s.relationship_id AS "relationshipId", s.from_stage AS "fromStage",
            s.to_stage AS "toStage", s.changed_at AS "changedAt"
       FROM relationship_stage_changes s WHERE s.relationship_id = ANY($1::uuid[])
      ORDER BY s.relationship_id, s.changed_at, s.id`,
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

/** Pages of `Community.relationships`: one lateral statement per distinct page and filter. */
export function communityRelationshipPages(scope: TenantScope) {
  return nestedPageLoader<RelationshipConditions, Relationship>(scope, (m, parentIds, page, filter) => {
    const params: unknown[] = [parentIds];
    const where = relationshipWhere(filter, params);
    const keyset = afterSql('r', page, params.length + 1);
    params.push(...keyset.params);
    return m.query(
      `SELECT ${RELATIONSHIP_COLUMNS}, r._cursor AS "_cursor", r.community_id AS "_parent"
         FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT r.*, ${cursorKeySql('r')} AS _cursor FROM relationships r
            WHERE r.community_id = p.id AND ${where} AND ${keyset.sql}
            ORDER BY r.created_at, r.id LIMIT ${param(params, page.first + 1)}
         ) r
        ORDER BY r.community_id, r.created_at, r.id`,
      params,
    );
  });
}

/** totalCount of `Community.relationships`: one grouped statement per distinct filter. */
export function communityRelationshipTotals(scope: TenantScope) {
  return nestedCountLoader<RelationshipConditions>(scope, (m, parentIds, filter) => {
    const params: unknown[] = [parentIds];
    const where = relationshipWhere(filter, params);
    return m.query(
      `SELECT r.community_id AS "_parent", count(*)::int AS count FROM relationships r
        WHERE r.community_id = ANY($1::uuid[]) AND ${where} GROUP BY r.community_id`,
      params,
    );
  });
}
