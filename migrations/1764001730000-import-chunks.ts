import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/**
 * `import_chunks`: the lines of a metric NDJSON upload, about a MiB a row: `data` holds `rows`
 * lines, each as the tuple `(line int4, raw text)` of COPY's binary format (what
 * `COPY (SELECT line, raw FROM import_rows …) TO STDOUT (FORMAT binary)` sends for each line), so
 * a million lines are a hundred rows to write and read instead of a million. UNLOGGED like
 * import_rows (a crash empties it whole), and stored without compression (`EXTERNAL`).
 */
export class ImportChunks1764001730000 implements MigrationInterface {
  name = 'ImportChunks1764001730000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE import_chunks (
      organization_id uuid NOT NULL,
      job_id uuid NOT NULL,
      seq integer NOT NULL,
      rows integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (organization_id, job_id, seq)
    )`);
    await q.query(`ALTER TABLE import_chunks ALTER COLUMN data SET STORAGE EXTERNAL`);
    await isolateTenantTable(q, 'import_chunks');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_chunks`);
  }
}
