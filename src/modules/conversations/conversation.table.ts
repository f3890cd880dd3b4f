import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';

/** How each Conversation field is read from a row of `conversations v`. */
export const CONVERSATION_FIELDS: ColumnMap = {
  id: { sql: 'v.id' },
  relationshipId: { sql: 'v.relationship_id' },
  occurredAt: { sql: epochMs('v.occurred_at'), time: true },
  channel: { sql: 'v.channel' },
  summary: { sql: 'v.summary' },
  sentiment: { sql: 'v.sentiment' },
  qualified: { sql: 'v.qualified' },
  createdAt: { sql: epochMs('v.created_at'), time: true },
};

/** Columns that Conversation's field resolvers read. */
export const CONVERSATION_NEEDS = { relationship: ['relationshipId'] } as const;

/** Every column of a conversation. */
export const CONVERSATION_ROW = new Projection(CONVERSATION_FIELDS, null);
