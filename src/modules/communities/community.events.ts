import { WriteHook } from '../../platform/write-hooks.js';

/**
 * Topic of a tenant on which changes to its relationship graph travel: communities, relationships,
 * their stage changes and conversations (each feature publishes its own kind after commit).
 */
export const DATA_CHANGED = 'data-changed';

/** Payload of `DATA_CHANGED`. */
export interface DataChangedEvent {
  kind: 'community' | 'relationship' | 'conversation' | 'stage-change' | 'merge';
  id: string;
  communityId: string | null;
  /** ISO time the change counts at (occurredAt of a conversation, the change time otherwise; a merge: the earliest time it moved). */
  at: string;
  /** A merge: the latest time whose figures it moved. */
  until?: string;
  /** A merge: the built-in metric keys whose figures it moved. */
  keys?: string[];
  /** A merge: what it added to (or, negative, took from) each built-in metric, by community and ISO time. */
  points?: Array<{ metricKey: string; communityId: string | null; at: string; value: number }>;
}

/** What a write to the relationship graph may have moved: built-in metrics (all when absent) between two ISO times. */
export interface GraphWrittenEvent {
  keys?: string[];
  from: string;
  to: string;
}

/**
 * Runs in the transaction of every write to relationships, stage changes and conversations
 * (mutations, merges, imports): what it may have moved in the built-in metrics (goal.reached).
 */
export const GRAPH_WRITTEN = new WriteHook<GraphWrittenEvent>('graph written');
