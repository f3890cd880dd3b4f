import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';
import type { JsonConnectionEdge, JsonNodeSource } from '../../platform/sql/json-read.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

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

/** Conversations for the compiled nested read (platform/sql/json-read.ts). */
export const CONVERSATION_SOURCE: JsonNodeSource = { table: 'conversations', alias: 'v', columns: CONVERSATION_FIELDS };

/** `Relationship.conversations`, as the compiled read serves it. */
export const CONVERSATION_JSON_READS: readonly JsonConnectionEdge[] = [
  { parent: 'Relationship', field: 'conversations', node: CONVERSATION_SOURCE, parentColumn: 'relationship_id', scope: ApiKeyScope.READ },
];
