import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/**
 * Webhooks: registered endpoints, a transactional outbox of events, and one delivery per
 * (event, webhook).
 *
 * - `webhooks`: an endpoint, the events it takes, its signing secret (and, for 24 h after a
 *   rotation, the previous one), and since when every delivery to it has failed.
 * - `webhook_events`: the outbox. A row is written in the same transaction as the change it tells
 *   of, so a rolled-back change leaves no event and a committed one never loses it.
 * - `webhook_deliveries`: one per event and subscribed webhook, written with the event; its id is
 *   the `webhook-id` header on every attempt and redelivery.
 * - `enqueue_keyed_job`: like `enqueue_job`, with a graphile-worker job key, so a delivery has one
 *   pending attempt job whose time a failure can move (a new job replaces the pending one).
 * - `audit_events.actor_kind` SYSTEM: what Rapport itself did (disabling a failing webhook).
 * - `goals.reached_at`: when a metric write first brought the goal to its target (goal.reached is sent once).
 */
export class Webhooks1764001400000 implements MigrationInterface {
  name = 'Webhooks1764001400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE webhooks (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
      events text[] NOT NULL CHECK (cardinality(events) > 0),
      description text CHECK (length(description) <= 500),
      enabled boolean NOT NULL DEFAULT true,
      secret text NOT NULL,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id)
    )`);
    await q.query(`CREATE INDEX webhooks_events_idx ON webhooks USING gin (events) WHERE enabled`);
    await isolateTenantTable(q, 'webhooks');

    await q.query(`CREATE TABLE webhook_events (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      type text NOT NULL,
      data json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id)
    )`);
    await isolateTenantTable(q, 'webhook_events');

    await q.query(`CREATE TABLE webhook_deliveries (
      organization_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      webhook_id uuid NOT NULL,
      event_id uuid NOT NULL,
      status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
      attempts integer NOT NULL DEFAULT 0,
      round_start integer NOT NULL DEFAULT 0,
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      delivered_at timestamptz,
      next_attempt_at timestamptz,
      PRIMARY KEY (organization_id, id),
      FOREIGN KEY (organization_id, webhook_id) REFERENCES webhooks (organization_id, id) ON DELETE CASCADE,
      FOREIGN KEY (organization_id, event_id) REFERENCES webhook_events (organization_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX webhook_deliveries_page_idx ON webhook_deliveries (organization_id, webhook_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (organization_id, event_id)`);
    await isolateTenantTable(q, 'webhook_deliveries');

    await q.query(`CREATE FUNCTION enqueue_keyed_job(identifier text, payload json, job_key text, run_at timestamptz, max_attempts integer DEFAULT 3)
      RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      BEGIN
        PERFORM graphile_worker.add_job(identifier, payload, run_at => run_at, max_attempts => max_attempts,
                                        job_key => job_key, job_key_mode => 'replace');
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION enqueue_keyed_job(text, json, text, timestamptz, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION enqueue_keyed_job(text, json, text, timestamptz, integer) TO rapport_app`);

    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('USER', 'API_KEY', 'SYSTEM'))`);
    await q.query(`ALTER TABLE goals ADD COLUMN reached_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM audit_events WHERE actor_kind = 'SYSTEM'`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('USER', 'API_KEY'))`);
    await q.query(`ALTER TABLE goals DROP COLUMN reached_at`);
    await q.query(`DROP FUNCTION enqueue_keyed_job(text, json, text, timestamptz, integer)`);
    await q.query(`DROP TABLE webhook_deliveries, webhook_events, webhooks`);
  }
}
