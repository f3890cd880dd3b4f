/**
 * Topic of a tenant on which changes to its relationship graph travel: communities, relationships,
 * their stage changes and conversations (each feature publishes its own kind after commit).
 */
export const DATA_CHANGED = 'data-changed';

/** Payload of `DATA_CHANGED`. */
export interface DataChangedEvent {
  kind: 'community' | 'relationship' | 'conversation' | 'stage-change';
  id: string;
  communityId: string | null;
  /** ISO time the change counts at (occurredAt of a conversation, the change time otherwise). */
  at: string;
}
