/** Names of the per-tenant topics events travel on (each is prefixed by the tenant id). */
export const LIVE_TOPICS = {
  /** Metric points were recorded (custom metrics, and built-in ones derived from domain writes). */
  metricRecorded: 'metric-recorded',
  /** Relationship data changed (relationships, stage changes, conversations, communities). */
  dataChanged: 'data-changed',
  /** A goal was created, changed or deleted. */
  goalChanged: 'goal-changed',
  /** An API key, widget token or member was revoked: its open subscriptions must end. */
  principalRevoked: 'principal-revoked',
} as const;

/** One recorded value, as events carry it. */
export interface MetricPointEvent {
  metricKey: string;
  communityId: string | null;
  /** ISO time of the point. */
  at: string;
  value: number;
}

/** Payload of `metricRecorded`: every point one committed write added. */
export interface MetricRecordedEvent {
  points: MetricPointEvent[];
}

/** Payload of `dataChanged`. */
export interface DataChangedEvent {
  kind: 'community' | 'relationship' | 'conversation' | 'stage-change' | 'roi-model';
  id: string;
  communityId: string | null;
  /** ISO time the change counts at (occurredAt of a conversation, the change time otherwise). */
  at: string;
}

/** Payload of `goalChanged`. */
export interface GoalChangedEvent {
  goalId: string;
  deleted: boolean;
}

/** Payload of `principalRevoked`. */
export interface PrincipalRevokedEvent {
  apiKeyId?: string;
  widgetTokenId?: string;
  userId?: string;
}
