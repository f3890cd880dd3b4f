import { check } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { param } from '../../platform/sql/batch-loaders.js';
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

/** The SQL conditions of a filter over alias `r`, appending its parameters to `params`. */
export function relationshipWhere(c: RelationshipConditions, params: unknown[]): string {
  const where = ['TRUE'];
  if (c.communityId !== null) {
    where.push(isUuid(c.communityId) ? `r.community_id = ${param(params, c.communityId)}::uuid` : 'FALSE');
  }
  if (c.stage !== null) where.push(`r.stage = ${param(params, c.stage)}`);
  if (c.qualified !== null) where.push(`r.qualified = ${param(params, c.qualified)}`);
  if (c.search !== null) {
    const p = param(params, likePattern(c.search));
    where.push(`(r.name ILIKE ${p} OR r.handle ILIKE ${p} OR r.company ILIKE ${p})`);
  }
  return where.join(' AND ');
}
