import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/**
 * `import_chunks`: a metric import's rows checked by node while the upload streams, staged as
 * they will be written: `data` holds about a MiB of rows in COPY's binary format for
 * `metric_points (organization_id, metric_id, community_id, at, value, idempotency_key)`, `lines`
 * their line numbers (int32 each), `metrics` the keys of the metric ids used ({id: key}) and
 * `groups` the last time per (metric, community, UTC day) for the coalesced events. The job
 * pipes `data` into COPY as it is. UNLOGGED like import_rows (a crash empties it whole), and
 * stored without compression (`EXTERNAL`): compressing a MiB of uuids cost more than it saved.
 */
export class ImportChunks1764001730000 implements MigrationInterface {
  name = 'ImportChunks1764001730000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE import_chunks (
      organization_id uuid NOT NULL,
      job_id uuid NOT NULL,
      seq integer NOT NULL,
      rows integer NOT NULL,
      lines bytea NOT NULL,
      data bytea NOT NULL,
      metrics jsonb NOT NULL,
      groups jsonb NOT NULL,
      PRIMARY KEY (organization_id, job_id, seq)
    )`);
    await q.query(`ALTER TABLE import_chunks ALTER COLUMN lines SET STORAGE EXTERNAL, ALTER COLUMN data SET STORAGE EXTERNAL`);
    await isolateTenantTable(q, 'import_chunks');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_chunks`);
  }
}
