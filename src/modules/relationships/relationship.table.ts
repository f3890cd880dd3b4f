import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';
import type { JsonConnectionEdge, JsonNodeSource } from '../../platform/sql/json-read.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

/** How each Relationship field is read from a row of `relationships r`. */
export const RELATIONSHIP_FIELDS: ColumnMap = {
  id: { sql: 'r.id' },
  communityId: { sql: 'r.community_id' },
  name: { sql: 'r.name' },
  handle: { sql: 'r.handle' },
  company: { sql: 'r.company' },
  stage: { sql: 'r.stage' },
  qualified: { sql: 'r.qualified' },
  ownerId: { sql: 'r.owner_id' },
  connectedAt: { sql: epochMs('r.connected_at'), time: true },
  externalId: { sql: 'r.external_id' },
  createdAt: { sql: epochMs('r.created_at'), time: true },
  updatedAt: { sql: epochMs('r.updated_at'), time: true },
};

/** Columns that Relationship's field resolvers read. */
export const RELATIONSHIP_NEEDS = { community: ['communityId'], owner: ['ownerId'], identities: ['communityId', 'handle'] } as const;

/** Every column of a relationship. */
export const RELATIONSHIP_ROW = new Projection(RELATIONSHIP_FIELDS, null);

/** Every column of a stage change, from a row of `relationship_stage_changes s`. */
export const STAGE_CHANGE_ROW = new Projection(
  {
    id: { sql: 's.id' },
    relationshipId: { sql: 's.relationship_id' },
    fromStage: { sql: 's.from_stage' },
    toStage: { sql: 's.to_stage' },
    changedAt: { sql: epochMs('s.changed_at'), time: true },
  },
  null,
);

/** An identity (platform and handle) of a relationship, from a row `x`. */
export const IDENTITY_ROW = new Projection({ platform: { sql: 'x.platform' }, handle: { sql: 'x.handle' } }, null);

/** Relationships for the compiled nested read (platform/sql/json-read.ts). */
export const RELATIONSHIP_SOURCE: JsonNodeSource = { table: 'relationships', alias: 'r', columns: RELATIONSHIP_FIELDS };

/** `Query.relationships` and `Community.relationships` without a filter, as the compiled read serves them. */
export const RELATIONSHIP_JSON_READS: readonly JsonConnectionEdge[] = [
  { parent: 'Query', field: 'relationships', node: RELATIONSHIP_SOURCE, scope: ApiKeyScope.READ },
  { parent: 'Community', field: 'relationships', node: RELATIONSHIP_SOURCE, parentColumn: 'community_id', scope: ApiKeyScope.READ },
];
