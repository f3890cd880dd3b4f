import { preparedStatement } from '../../db/prepared-statement.js';
import type { TenantDb } from '../../db/tenant.js';

/** What a webhook can be told about (GraphQL enum WebhookEvent). */
export enum WebhookEvent {
  METRICS_RECORDED = 'METRICS_RECORDED',
  GOAL_REACHED = 'GOAL_REACHED',
  RELATIONSHIP_STAGE_CHANGED = 'RELATIONSHIP_STAGE_CHANGED',
  IMPORT_FINISHED = 'IMPORT_FINISHED',
  ROI_MODEL_UPDATED = 'ROI_MODEL_UPDATED',
}

/** The `type` of each event in a delivery's body. */
export const WEBHOOK_EVENT_TYPES: Readonly<Record<WebhookEvent, string>> = {
  METRICS_RECORDED: 'metrics.recorded',
  GOAL_REACHED: 'goal.reached',
  RELATIONSHIP_STAGE_CHANGED: 'relationship.stage_changed',
  IMPORT_FINISHED: 'import.finished',
  ROI_MODEL_UPDATED: 'roi_model.updated',
};

/** The queue's task type of one delivery attempt. */
export const WEBHOOK_DELIVERY_TASK = 'webhook-delivery';

/** A queued attempt: which delivery, and which attempt of it (1-based, counted over its whole life). */
export interface WebhookAttemptPayload {
  organizationId: string;
  deliveryId: string;
  attempt: number;
}

/** The job key of a delivery: it has at most one waiting attempt job, which a later one replaces. */
export function attemptJobKey(deliveryId: string): string {
  return `webhook:${deliveryId}`;
}

/**
 * Writes `event` to the outbox in the caller's transaction, with one delivery and its first
 * attempt job per enabled webhook that takes it: all commit with the change, or none do.
 * One statement, and no rows at all when no webhook takes the event.
 */
export async function emitWebhookEvent(db: TenantDb, event: WebhookEvent, data: object): Promise<void> {
  await emitWebhookEvents(db, event, [data]);
}

/** Events written by one statement at most. */
const EVENTS_PER_STATEMENT = 1000;

/** Every write of points runs it (prepared): the outbox rows, only when an enabled webhook takes the event. */
const EMIT_EVENTS = preparedStatement(
  'webhooks.emit_events',
  `WITH w AS (SELECT id FROM webhooks WHERE organization_id = $2 AND enabled AND events @> ARRAY[$1]::text[]),
   src AS (SELECT x.value AS data, x.n FROM json_array_elements($4::json) WITH ORDINALITY AS x(value, n) WHERE EXISTS (SELECT 1 FROM w)),
   e AS (INSERT INTO webhook_events (organization_id, type, data)
         SELECT $2, $3, src.data FROM src ORDER BY src.n RETURNING id, created_at),
   d AS (INSERT INTO webhook_deliveries (organization_id, webhook_id, event_id, created_at, next_attempt_at)
         SELECT $2, w.id, e.id, e.created_at, e.created_at FROM w, e RETURNING id)
   SELECT enqueue_keyed_job($5, json_build_object('organizationId', $2::text, 'deliveryId', d.id, 'attempt', 1), 'webhook:' || d.id, NULL, 3)
     FROM d`,
);

/** The same for many events of one kind (an import's stage changes), in order, a thousand per statement. */
export async function emitWebhookEvents(db: TenantDb, event: WebhookEvent, data: readonly object[]): Promise<void> {
  for (let i = 0; i < data.length; i += EVENTS_PER_STATEMENT) {
    await db.query(
      EMIT_EVENTS,
      [event, db.tenantId, WEBHOOK_EVENT_TYPES[event], JSON.stringify(data.slice(i, i + EVENTS_PER_STATEMENT)), WEBHOOK_DELIVERY_TASK],
    );
  }
}

/** Whether an enabled webhook of the tenant takes `event` (to skip reading what nobody is sent). */
export async function webhookTakes(db: TenantDb, event: WebhookEvent): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM webhooks WHERE organization_id = $1 AND enabled AND events @> ARRAY[$2]::text[] LIMIT 1`, [db.tenantId, event]);
  return rows.length > 0;
}
