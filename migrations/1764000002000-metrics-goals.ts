import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/**
 * Metric definitions, their recorded points, and goals.
 *
 * metric_points is the one high-volume table, so every index on it earns its write cost. Its primary
 * key is the series key (organization_id, metric_id, at, id), covering value and community_id, so a
 * series reads the index alone once the table is vacuumed and no separate series index is written;
 * id (an identity) only makes it unique. Then the partial unique index that dedupes idempotency keys
 * within a tenant, and a partial index on community_id, without which deleting a community (its
 * foreign key's cascade) would scan all of the tenant's points.
 */
export class MetricsGoals1764000002000 implements MigrationInterface {
  name = 'MetricsGoals1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE metric_definitions (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      key text NOT NULL CHECK (key ~ '^[a-z_][a-z0-9_]*$' AND length(key) <= 63),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      unit text,
      aggregation text NOT NULL CHECK (aggregation IN ('SUM', 'AVG', 'MIN', 'MAX', 'LAST', 'COUNT')),
      description text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id),
      UNIQUE (organization_id, key)
    )`);
    await isolateTenantTable(q, 'metric_definitions');

    // No foreign key of its own to organizations: the one to metric_definitions (whose organization_id
    // references organizations, cascading) already proves the organization and cascades its deletion,
    // and a second per-row check cost a quarter of the insert time of a 10,000-point batch.
    await q.query(`CREATE TABLE metric_points (
      organization_id uuid NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      metric_id uuid NOT NULL,
      community_id uuid,
      at timestamptz NOT NULL,
      value double precision NOT NULL,
      idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, metric_id, at, id) INCLUDE (value, community_id),
      FOREIGN KEY (organization_id, metric_id) REFERENCES metric_definitions (organization_id, id) ON DELETE CASCADE,
      FOREIGN KEY (organization_id, community_id) REFERENCES communities (organization_id, id) ON DELETE CASCADE
    )`);
    await q.query(
      `CREATE UNIQUE INDEX metric_points_idempotency_key ON metric_points (organization_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX metric_points_community_idx ON metric_points (organization_id, community_id) WHERE community_id IS NOT NULL`,
    );
    await isolateTenantTable(q, 'metric_points');

    await q.query(`CREATE TABLE goals (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      description text,
      metric_key text NOT NULL,
      target double precision NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id),
      CHECK (ends_at > starts_at)
    )`);
    await q.query(`CREATE INDEX goals_page_idx ON goals (organization_id, created_at, id)`);
    await isolateTenantTable(q, 'goals');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE goals, metric_points, metric_definitions`);
  }
}
