import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';
import type { JsonConnectionEdge, JsonNodeSource } from '../../platform/sql/json-read.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

/** How each Community field is read from a row of `communities c`. */
export const COMMUNITY_FIELDS: ColumnMap = {
  id: { sql: 'c.id' },
  name: { sql: 'c.name' },
  platform: { sql: 'c.platform' },
  url: { sql: 'c.url' },
  qualified: { sql: 'c.qualified' },
  alignmentScore: { sql: 'c.alignment_score' },
  tags: { sql: 'c.tags' },
  archivedAt: { sql: epochMs('c.archived_at'), time: true },
  createdAt: { sql: epochMs('c.created_at'), time: true },
  updatedAt: { sql: epochMs('c.updated_at'), time: true },
};

/** Every column of a community. */
export const COMMUNITY_ROW = new Projection(COMMUNITY_FIELDS, null);

/** Communities for the compiled nested read (platform/sql/json-read.ts). */
export const COMMUNITY_SOURCE: JsonNodeSource = { table: 'communities', alias: 'c', columns: COMMUNITY_FIELDS };

/** `Query.communities` without a filter, as the compiled read serves it (same scope as its resolver). */
export const COMMUNITY_JSON_READS: readonly JsonConnectionEdge[] = [{ parent: 'Query', field: 'communities', node: COMMUNITY_SOURCE, scope: ApiKeyScope.READ }];
