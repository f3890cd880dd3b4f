import { check } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import type { SqlParams } from '../../platform/sql/sql-params.js';
import type { RelationshipStage } from './relationship-stage.js';
import type { RelationshipFilter } from './relationship.inputs.js';

/** A RelationshipFilter with defaults filled in, so equal filters serialize alike (loader keys). */
export interface RelationshipConditions {
  communityId: string | null;
  stage: RelationshipStage | null;
  qualified: boolean | null;
  search: string | null;
}

/** Validates and normalizes a filter: `search` is trimmed (empty means none), at most 200 characters. */
export function relationshipConditions(filter: RelationshipFilter | null | undefined): RelationshipConditions {
  const search = filter?.search?.trim() || null;
  check(!search || search.length <= 200, 'search', 'search must be at most 200 characters');
  return {
    communityId: filter?.communityId ?? null,
    stage: filter?.stage ?? null,
    qualified: filter?.qualified ?? null,
    search,
  };
}

/** `%`, `_` and `\` match themselves in the search text. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The SQL conditions of a filter over alias `r`, adding its parameters to `params`. */
export function relationshipWhere(c: RelationshipConditions, params: SqlParams): string {
  const where = ['TRUE'];
  if (c.communityId !== null) {
    where.push(isUuid(c.communityId) ? `r.community_id = ${params.add(c.communityId, 'uuid')}` : 'FALSE');
  }
  if (c.stage !== null) where.push(`r.stage = ${params.add(c.stage)}`);
  if (c.qualified !== null) where.push(`r.qualified = ${params.add(c.qualified)}`);
  if (c.search !== null) {
    const p = params.add(likePattern(c.search));
    where.push(`(r.name ILIKE ${p} OR r.handle ILIKE ${p} OR r.company ILIKE ${p})`);
  }
  return where.join(' AND ');
}
