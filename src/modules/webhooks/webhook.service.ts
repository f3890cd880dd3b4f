import { isUuid } from '../../db/ids.js';
import type { TenantDb } from '../../db/tenant.js';
import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check, NotFoundError } from '../../platform/errors.js';
import { optionalText, requiredText } from '../../platform/input.js';
import { pageOf } from '../../platform/pagination.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { safeAddress, UnsafeUrlError } from './webhook-address.js';
import { scheduleAttempt } from './webhook-delivery.task.js';
import { WEBHOOK_EVENT_TYPES } from './webhook.events.js';
import type { CreatedWebhook, CreateWebhookInput, UpdateWebhookInput } from './webhook.inputs.js';
import { newWebhookSecret } from './webhook-sender.js';
import { WebhookEvent, type Webhook, type WebhookDelivery, type WebhookDeliveryStatus } from './webhook.types.js';

/** Webhooks one organization may have. */
export const MAX_WEBHOOKS = 20;
/** How long the secret before a rotation still signs deliveries (beside the new one). */
export const PREVIOUS_SECRET_HOURS = 24;

const WEBHOOK_COLUMNS = `w.id, w.url, w.events, w.enabled, w.description, w.created_at AS "createdAt"`;
const EVENT_OF_TYPE = new Map(Object.entries(WEBHOOK_EVENT_TYPES).map(([event, type]) => [type, event as WebhookEvent]));
const DELIVERY_COLUMNS = `d.id, d.webhook_id AS "webhookId", e.type, d.status, d.attempts, d.last_status_code AS "lastStatusCode",
  d.last_error AS "lastError", d.created_at AS "createdAt", d.delivered_at AS "deliveredAt", d.next_attempt_at AS "nextAttemptAt"`;
const DELIVERY_FROM = `webhook_deliveries d JOIN webhook_events e ON e.organization_id = d.organization_id AND e.id = d.event_id`;

function deliveryOf<T extends { type?: string }>(row: T): T & WebhookDelivery {
  const { type, ...rest } = row;
  return { ...rest, event: EVENT_OF_TYPE.get(type!)! } as unknown as T & WebhookDelivery;
}

/** The webhooks of the caller's organization and their deliveries. */
export class WebhookService {
  constructor(private readonly scope: TenantScope) {}

  /** Every webhook, oldest first; never their secrets. */
  async list(): Promise<Webhook[]> {
    return (await this.scope.db()).query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks w ORDER BY w.created_at, w.id`);
  }

  /** Registers a webhook and returns its secret, the only time it is shown. */
  async create(input: CreateWebhookInput): Promise<CreatedWebhook> {
    const url = await this.checkUrl(input.url);
    const events = this.checkEvents(input.events);
    const description = optionalText(input.description, 'description', 500);
    const db = await this.scope.db();
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhooks`);
    check(n < MAX_WEBHOOKS, 'url', `an organization has at most ${MAX_WEBHOOKS} webhooks`);
    const secret = newWebhookSecret();
    const [webhook] = await db.query<Webhook>(
      `INSERT INTO webhooks AS w (organization_id, url, events, description, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${WEBHOOK_COLUMNS}`,
      [db.tenantId, url, events, description, secret],
    );
    return { webhook, secret };
  }

  /** Changes the given fields; enabling a webhook again forgets its past failures. */
  async update(id: string, input: UpdateWebhookInput): Promise<Webhook> {
    const params = new SqlParams();
    const sets = ['updated_at = clock_timestamp()'];
    if (input.url != null) sets.push(`url = ${params.add(await this.checkUrl(input.url))}`);
    if (input.events != null) sets.push(`events = ${params.add(this.checkEvents(input.events), 'text[]')}`);
    if (input.enabled != null) sets.push(`enabled = ${params.add(input.enabled)}`, `failing_since = NULL`);
    if (input.description !== undefined) sets.push(`description = ${params.add(optionalText(input.description, 'description', 500), 'text')}`);
    if (!isUuid(id)) throw new NotFoundError('Webhook', id);
    const [webhook] = await (await this.scope.db()).query<Webhook>(
      `WITH w AS (UPDATE webhooks SET ${sets.join(', ')} WHERE id = ${params.add(id, 'uuid')} RETURNING *) SELECT ${WEBHOOK_COLUMNS} FROM w`,
      params.values,
    );
    if (!webhook) throw new NotFoundError('Webhook', id);
    return webhook;
  }

  /** Deletes a webhook and its delivery log; its waiting attempts then find nothing to send. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) throw new NotFoundError('Webhook', id);
    const rows = await (await this.scope.db()).query(`WITH d AS (DELETE FROM webhooks WHERE id = $1 RETURNING id) SELECT id FROM d`, [id]);
    if (!rows.length) throw new NotFoundError('Webhook', id);
    return true;
  }

  /** A new secret signs from now on; the old one also signs for PREVIOUS_SECRET_HOURS, so receivers can switch. */
  async rotateSecret(id: string): Promise<CreatedWebhook> {
    if (!isUuid(id)) throw new NotFoundError('Webhook', id);
    const secret = newWebhookSecret();
    const [webhook] = await (await this.scope.db()).query<Webhook>(
      `WITH w AS (
         UPDATE webhooks SET previous_secret = secret, secret = $2,
                previous_secret_expires_at = clock_timestamp() + interval '${PREVIOUS_SECRET_HOURS} hours', updated_at = clock_timestamp()
          WHERE id = $1 RETURNING *)
       SELECT ${WEBHOOK_COLUMNS} FROM w`,
      [id, secret],
    );
    if (!webhook) throw new NotFoundError('Webhook', id);
    return { webhook, secret };
  }

  /** Sends a delivery again now, with the same webhook-id, and a full retry schedule should it fail. */
  async redeliver(deliveryId: string): Promise<WebhookDelivery> {
    if (!isUuid(deliveryId)) throw new NotFoundError('Webhook delivery', deliveryId);
    const db = await this.scope.db();
    const [found] = await db.query<{ attempts: number; enabled: boolean }>(
      `SELECT d.attempts, w.enabled FROM webhook_deliveries d JOIN webhooks w ON w.organization_id = d.organization_id AND w.id = d.webhook_id
        WHERE d.id = $1 FOR UPDATE OF d`,
      [deliveryId],
    );
    if (!found) throw new NotFoundError('Webhook delivery', deliveryId);
    check(found.enabled, 'deliveryId', 'the webhook is disabled: enable it with updateWebhook first');
    await db.query(
      `UPDATE webhook_deliveries SET status = 'PENDING', round_start = attempts, next_attempt_at = clock_timestamp() WHERE id = $1`,
      [deliveryId],
    );
    await scheduleAttempt(db, deliveryId, found.attempts + 1, null);
    return (await this.delivery(db, deliveryId))!;
  }

  /** A page of a webhook's deliveries, newest first, of one status when given. */
  async deliveries(
    webhookId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    status: WebhookDeliveryStatus | null | undefined,
  ): Promise<Connection<WebhookDelivery>> {
    const page = pageOf(first, after);
    if (!isUuid(webhookId)) throw new NotFoundError('Webhook', webhookId);
    const db = await this.scope.db();
    const [exists] = await db.query(`SELECT 1 FROM webhooks WHERE id = $1`, [webhookId]);
    if (!exists) throw new NotFoundError('Webhook', webhookId);
    const params = new SqlParams();
    const where = `d.organization_id = ${params.add(db.tenantId, 'uuid')} AND d.webhook_id = ${params.add(webhookId, 'uuid')}` +
      (status ? ` AND d.status = ${params.add(status)}` : '');
    const countParams = params.snapshot();
    const k = keysetPage('d', page, params, { newestFirst: true });
    const rows = await db.query(`SELECT ${DELIVERY_COLUMNS}, ${k.micros} FROM ${DELIVERY_FROM} WHERE ${where} AND ${k.after} ${k.orderLimit}`, params.values);
    return connectionOf(rows.map(deliveryOf), page, async () => {
      const [row] = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries d WHERE ${where}`, countParams);
      return row.n as number;
    });
  }

  private async delivery(db: TenantDb, id: string): Promise<WebhookDelivery | null> {
    const [row] = await db.query(`SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERY_FROM} WHERE d.id = $1`, [id]);
    return row ? deliveryOf(row) : null;
  }

  private checkEvents(events: WebhookEvent[]): WebhookEvent[] {
    const unique = [...new Set(events)];
    check(unique.length > 0, 'events', 'events must list at least one event');
    return unique;
  }

  /** https (or http where private networks are allowed), and, unless they are, only public addresses. */
  private async checkUrl(raw: string): Promise<string> {
    const text = requiredText(raw, 'url', 2000);
    check(URL.canParse(text), 'url', 'url must be an absolute URL');
    const url = new URL(text);
    const allowPrivate = this.scope.app.config.webhookAllowPrivateNetworks;
    const protocols = allowPrivate ? ['https:', 'http:'] : ['https:'];
    check(protocols.includes(url.protocol), 'url', allowPrivate ? 'url must be an http or https URL' : 'url must be an https URL');
    if (!allowPrivate) {
      try {
        await safeAddress(url, false);
      } catch (error) {
        if (error instanceof UnsafeUrlError) throw new BadInputError(`url refused: ${error.message}`, { field: 'url' });
        throw error;
      }
    }
    return url.toString();
  }
}
