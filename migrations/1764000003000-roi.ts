import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/** ROI models with immutable versions, and goals that target a model's roi. */
export class Roi1764000003000 implements MigrationInterface {
  name = 'Roi1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE roi_models (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      is_default boolean NOT NULL DEFAULT false,
      current_version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id)
    )`);
    // One default model per tenant.
    await q.query(`CREATE UNIQUE INDEX roi_models_one_default ON roi_models (organization_id) WHERE is_default`);
    await isolateTenantTable(q, 'roi_models');

    await q.query(`CREATE TABLE roi_model_versions (
      organization_id uuid NOT NULL,
      model_id uuid NOT NULL,
      version integer NOT NULL CHECK (version >= 1),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      return_formula text NOT NULL CHECK (length(return_formula) <= 2000),
      investment_formula text NOT NULL CHECK (length(investment_formula) <= 2000),
      parameters jsonb NOT NULL DEFAULT '[]',
      created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_by_api_key_id uuid,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, model_id, version),
      FOREIGN KEY (organization_id, model_id) REFERENCES roi_models (organization_id, id) ON DELETE CASCADE
    )`);
    await isolateTenantTable(q, 'roi_model_versions');

    await q.query(`ALTER TABLE goals ADD COLUMN roi_model_id uuid`);
    await q.query(`ALTER TABLE goals ALTER COLUMN metric_key DROP NOT NULL`);
    await q.query(`ALTER TABLE goals ADD CONSTRAINT goals_roi_model_fk
      FOREIGN KEY (organization_id, roi_model_id) REFERENCES roi_models (organization_id, id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE goals ADD CONSTRAINT goals_one_target CHECK ((metric_key IS NULL) <> (roi_model_id IS NULL))`);
    await q.query(`CREATE INDEX goals_roi_model_idx ON goals (organization_id, roi_model_id) WHERE roi_model_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE goals DROP CONSTRAINT goals_one_target, DROP CONSTRAINT goals_roi_model_fk, DROP COLUMN roi_model_id`);
    await q.query(`ALTER TABLE goals ALTER COLUMN metric_key SET NOT NULL`);
    await q.query(`DROP TABLE roi_model_versions, roi_models`);
  }
}
