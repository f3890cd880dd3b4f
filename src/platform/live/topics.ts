/** Names of the per-tenant topics events travel on (each is prefixed by the tenant id). */
export const LIVE_TOPICS = {
  metricRecorded: 'metric-recorded',
  dataChanged: 'data-changed',
  goalChanged: 'goal-changed',
  principalRevoked: 'principal-revoked',
} as const;
