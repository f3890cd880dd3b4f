import type DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { byIdLoader, perParentLoader } from '../../platform/sql/batch-loaders.js';
import { COMMUNITY_ROW } from './community.table.js';
import { type Community } from './community.types.js';

/** A community by id (null when unknown or another tenant's); exported for other modules' fields. */
export function communityById(scope: TenantScope): DataLoader<string, Community | null> {
  return byIdLoader<Community>(scope, `SELECT ${COMMUNITY_ROW.sql} FROM communities c WHERE c.id = ANY($1::uuid[])`, COMMUNITY_ROW);
}

/** How many relationships a community has, all and qualified. */
export interface RelationshipCounts {
  total: number;
  qualified: number;
}

/** Both relationship counts of many communities in one grouped statement. */
export function communityRelationshipCounts(scope: TenantScope): DataLoader<string, RelationshipCounts> {
  return perParentLoader<{ _parent: string; total: number; qualified: number }, RelationshipCounts>(
    scope,
    `SELECT r.community_id AS "_parent", count(*)::int AS total, (count(*) FILTER (WHERE r.qualified))::int AS qualified
       FROM relationships r WHERE r.community_id = ANY($1::uuid[]) GROUP BY r.community_id`,
    (row) => ({ total: row?.total ?? 0, qualified: row?.qualified ?? 0 }),
  );
}
