import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/**
 * History and identities: when a relationship began (`connected_at`, back-filled from
 * `created_at`), the caller's own id for it (`external_id`, unique per organization), and the
 * other handles the same person has on other platforms (`relationship_identities`).
 */
export class HistoryIdentities1764001200000 implements MigrationInterface {
  name = 'HistoryIdentities1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE relationships ADD COLUMN connected_at timestamptz, ADD COLUMN external_id text
      CHECK (length(btrim(external_id)) BETWEEN 1 AND 200)`);
    await q.query(`UPDATE relationships SET connected_at = created_at`);
    await q.query(`ALTER TABLE relationships ALTER COLUMN connected_at SET NOT NULL, ALTER COLUMN connected_at SET DEFAULT clock_timestamp()`);
    // Imports upsert with ON CONFLICT (organization_id, external_id); NULLs stay distinct.
    await q.query(`ALTER TABLE relationships ADD CONSTRAINT relationships_external_id_key UNIQUE (organization_id, external_id)`);
    // SAME_EXTERNAL_ID duplicates: ids equal once trimmed and lower-cased.
    await q.query(`CREATE INDEX relationships_external_id_norm_idx ON relationships (organization_id, lower(btrim(external_id))) WHERE external_id IS NOT NULL`);
    // The built-in relationships metrics count by connected_at.
    await q.query(`CREATE INDEX relationships_connected_idx ON relationships (organization_id, connected_at) INCLUDE (community_id, qualified)`);
    // SAME_IDENTITY duplicates through a relationship's own handle.
    await q.query(`CREATE INDEX relationships_handle_idx ON relationships (organization_id, lower(handle)) WHERE handle IS NOT NULL`);

    await q.query(`CREATE TABLE relationship_identities (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      relationship_id uuid NOT NULL,
      platform text NOT NULL CHECK (length(btrim(platform)) BETWEEN 1 AND 100),
      handle text NOT NULL CHECK (length(btrim(handle)) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id),
      FOREIGN KEY (organization_id, relationship_id) REFERENCES relationships (organization_id, id) ON DELETE CASCADE
    )`);
    // One person a handle: the same handle on the same platform (case-insensitively) is one identity.
    await q.query(
      `CREATE UNIQUE INDEX relationship_identities_handle_key ON relationship_identities (organization_id, lower(platform), lower(handle))`,
    );
    await q.query(`CREATE INDEX relationship_identities_relationship_idx ON relationship_identities (organization_id, relationship_id, created_at, id)`);
    await isolateTenantTable(q, 'relationship_identities');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE relationship_identities`);
    await q.query(`DROP INDEX relationships_handle_idx`);
    await q.query(`ALTER TABLE relationships DROP COLUMN external_id, DROP COLUMN connected_at`);
  }
}
