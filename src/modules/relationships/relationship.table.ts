import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';

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
