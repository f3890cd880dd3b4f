import { inTenantTransaction, type TenantDb } from '../../db/tenant.js';
import { writeAuditEvent } from '../../platform/audit.js';
import type { AppServices } from '../../platform/context.js';
import type { JobHandler, JobRun } from '../../platform/jobs/job-queue.js';
import { attemptJobKey, WEBHOOK_DELIVERY_TASK, type WebhookAttemptPayload } from './webhook.events.js';
import { sendDelivery, type AttemptResult } from './webhook-sender.js';

/**
 * The retry schedule, in units of `config.webhookRetryUnitMs` (1 s): after a failed attempt the
 * next comes 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later; after the eighth, FAILED.
 */
export const RETRY_DELAYS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
/** Attempts of one round (the first delivery, or a redelivery). */
export const ATTEMPTS_PER_ROUND = RETRY_DELAYS.length + 1;
/** A webhook whose every delivery failed for this long is disabled. */
export const DISABLE_AFTER = '24 hours';
/**
 * Attempts one node makes at once, on workers of their own (job-queue.ts lanes): a slow endpoint
 * holds up other deliveries at most this much, and imports not at all.
 */
export const WEBHOOK_CONCURRENCY = 8;
/** The id the audit log gives Rapport itself. */
export const SYSTEM_ACTOR_ID = '00000000-0000-0000-0000-000000000000';

/** The task that makes one delivery attempt (registered on the job queue at start). */
export function webhookDeliveryTask(app: AppServices): JobHandler<WebhookAttemptPayload> {
  return (payload, run) => attempt(app, payload, run);
}

/** Adds (or moves) the delivery's one waiting attempt job, in the caller's transaction. */
export async function scheduleAttempt(db: TenantDb, deliveryId: string, attempt: number, runAt: Date | null): Promise<void> {
  const payload: WebhookAttemptPayload = { organizationId: db.tenantId, deliveryId, attempt };
  await db.query(`SELECT enqueue_keyed_job($1, $2::json, $3, $4, 3)`, [WEBHOOK_DELIVERY_TASK, JSON.stringify(payload), attemptJobKey(deliveryId), runAt]);
}

interface Claimed {
  webhookId: string;
  url: string;
  secrets: string[];
  body: string;
  /** Attempts of this round before this one. */
  inRound: number;
}

interface ClaimRow {
  status: string;
  attempts: number;
  roundStart: number;
  webhookId: string;
  url: string;
  enabled: boolean;
  secret: string;
  previous: string | null;
  type: string;
  data: unknown;
  at: Date;
}

/**
 * One attempt. Its claim (attempts + 1) commits before the request is sent, with a fallback job
 * for the next attempt, so the attempt is made at most once however many nodes hold the job, and
 * a node dying mid-request still leaves the next attempt queued.
 */
async function attempt(app: AppServices, p: WebhookAttemptPayload, run: JobRun): Promise<void> {
  const unit = app.config.webhookRetryUnitMs;
  const timeoutMs = app.config.webhookTimeoutMs;
  const claimed = await inTenantTransaction(app.ds, p.organizationId, (db) => claim(db, p, unit, timeoutMs));
  if (!claimed) return;
  const result = await sendDelivery(
    { url: claimed.url, deliveryId: p.deliveryId, body: claimed.body, secrets: claimed.secrets },
    { allowPrivate: app.config.webhookAllowPrivateNetworks, timeoutMs },
  );
  await inTenantTransaction(app.ds, p.organizationId, (db) => record(db, p, claimed, result, unit, run));
  app.logger.debug('webhook attempt', { deliveryId: p.deliveryId, attempt: p.attempt, ok: result.ok, statusCode: result.statusCode });
}

async function claim(db: TenantDb, p: WebhookAttemptPayload, unit: number, timeoutMs: number): Promise<Claimed | null> {
  const [row] = await db.query<ClaimRow>(
    `SELECT d.status, d.attempts, d.round_start AS "roundStart", d.webhook_id AS "webhookId", w.url, w.enabled, w.secret,
            CASE WHEN w.previous_secret_expires_at > clock_timestamp() THEN w.previous_secret END AS previous,
            e.type, e.data, e.created_at AS at
       FROM webhook_deliveries d
       JOIN webhooks w ON w.organization_id = d.organization_id AND w.id = d.webhook_id
       JOIN webhook_events e ON e.organization_id = d.organization_id AND e.id = d.event_id
      WHERE d.organization_id = $1 AND d.id = $2
      FOR UPDATE OF d`,
    [db.tenantId, p.deliveryId],
  );
  // Another node made this attempt already, or the delivery has ended.
  if (!row || row.status !== 'PENDING' || row.attempts !== p.attempt - 1) return null;
  const inRound = row.attempts - row.roundStart;
  const failWith = (error: string) =>
    db.query(
      `UPDATE webhook_deliveries SET status = 'FAILED', last_error = $3, next_attempt_at = NULL WHERE organization_id = $1 AND id = $2`,
      [db.tenantId, p.deliveryId, error],
    );
  if (!row.enabled) {
    await failWith('the webhook is disabled');
    return null;
  }
  if (inRound >= ATTEMPTS_PER_ROUND) {
    await failWith('the last attempt was interrupted');
    return null;
  }
  await db.query(`UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = NULL WHERE organization_id = $1 AND id = $2`, [
    db.tenantId,
    p.deliveryId,
  ]);
  // Should this node die mid-request, the next attempt (or the FAILED verdict) still comes.
  const later = inRound + 1 < ATTEMPTS_PER_ROUND ? RETRY_DELAYS[inRound] * unit : 0;
  await scheduleAttempt(db, p.deliveryId, p.attempt + 1, new Date(Date.now() + timeoutMs + 5000 + later));
  const body = JSON.stringify({ type: row.type, timestamp: row.at.toISOString(), data: row.data });
  return { webhookId: row.webhookId, url: row.url, secrets: row.previous ? [row.secret, row.previous] : [row.secret], body, inRound };
}

async function record(db: TenantDb, p: WebhookAttemptPayload, c: Claimed, result: AttemptResult, unit: number, run: JobRun): Promise<void> {
  const args = [db.tenantId, p.deliveryId, p.attempt, result.statusCode, result.error];
  if (result.ok) {
    await db.query(
      `UPDATE webhook_deliveries SET status = 'SUCCEEDED', delivered_at = clock_timestamp(), last_status_code = $4, last_error = $5, next_attempt_at = NULL
        WHERE organization_id = $1 AND id = $2 AND attempts = $3 AND status = 'PENDING'`,
      args,
    );
    await db.query(`UPDATE webhooks SET failing_since = NULL WHERE organization_id = $1 AND id = $2 AND failing_since IS NOT NULL`, [db.tenantId, c.webhookId]);
    return;
  }
  const last = c.inRound + 1 >= ATTEMPTS_PER_ROUND;
  const next = last ? null : new Date(Date.now() + RETRY_DELAYS[c.inRound] * unit);
  const updated = await db.query(
    `WITH u AS (
       UPDATE webhook_deliveries SET last_status_code = $4, last_error = $5,
              status = CASE WHEN $6::timestamptz IS NULL THEN 'FAILED' ELSE 'PENDING' END, next_attempt_at = $6
        WHERE organization_id = $1 AND id = $2 AND attempts = $3 AND status = 'PENDING' RETURNING id)
     SELECT id FROM u`,
    [...args, next],
  );
  if (updated.length && next) await scheduleAttempt(db, p.deliveryId, p.attempt + 1, next);
  await disableIfFailingTooLong(db, c.webhookId, run);
}

/** Notes the failure on the webhook; one failing every delivery for DISABLE_AFTER is disabled, and the audit log says so. */
async function disableIfFailingTooLong(db: TenantDb, webhookId: string, run: JobRun): Promise<void> {
  const [w] = await db.query<{ expired: boolean }>(
    `WITH u AS (
       UPDATE webhooks SET failing_since = coalesce(failing_since, clock_timestamp())
        WHERE organization_id = $1 AND id = $2 AND enabled
        RETURNING failing_since <= clock_timestamp() - interval '${DISABLE_AFTER}' AS expired)
     SELECT expired FROM u`,
    [db.tenantId, webhookId],
  );
  if (!w?.expired) return;
  await db.query(`UPDATE webhooks SET enabled = false, updated_at = clock_timestamp() WHERE organization_id = $1 AND id = $2`, [db.tenantId, webhookId]);
  await writeAuditEvent(db, {
    organizationId: db.tenantId,
    action: 'webhookDisabled',
    actor: { kind: 'SYSTEM', id: SYSTEM_ACTOR_ID, name: `Rapport: every delivery failed for ${DISABLE_AFTER}` },
    targetId: webhookId,
    requestId: `job-${run.jobId}`,
  });
}
