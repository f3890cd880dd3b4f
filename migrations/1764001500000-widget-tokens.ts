import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/** Widget tokens: publishable credentials that read a few metrics and ROI models from listed origins. */
export class WidgetTokens1764001500000 implements MigrationInterface {
  name = 'WidgetTokens1764001500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE widget_tokens (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      prefix text NOT NULL,
      secret_hash bytea NOT NULL,
      metric_keys text[] NOT NULL DEFAULT '{}',
      roi_model_ids uuid[] NOT NULL DEFAULT '{}',
      allowed_origins text[] NOT NULL CHECK (cardinality(allowed_origins) > 0),
      created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      PRIMARY KEY (organization_id, id),
      CHECK (cardinality(metric_keys) + cardinality(roi_model_ids) > 0)
    )`);
    await q.query(`CREATE INDEX widget_tokens_prefix_idx ON widget_tokens (prefix)`);
    await isolateTenantTable(q, 'widget_tokens');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE widget_tokens`);
  }
}
