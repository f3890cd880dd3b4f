import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/**
 * Bulk imports: a job per uploaded file, and its staged lines.
 *
 * - `job_nodes`: the nodes running the job queue and their worker ids, each heartbeating; a node
 *   whose heartbeat stops has its locked jobs released to the others (platform/jobs). Not tenant data.
 * - `import_jobs`: one row per upload, its status, counts and errors.
 * - `import_rows`: the upload's lines as JSON text, written by COPY when the upload commits and
 *   read by the job on whichever node runs it. UNLOGGED: staging is written once and read once, so
 *   it skips the WAL; a database crash empties it, and the job then fails cleanly (its line count
 *   no longer matches) instead of writing half a file.
 * - `enqueue_job`: lets a tenant transaction (running as rapport_app) add a job to the queue in the
 *   same transaction as its writes; graphile-worker's own schema belongs to the owner.
 * - `conversations.external_id`: the caller's own id of a conversation, so re-imports are idempotent.
 */
export class Imports1764001300000 implements MigrationInterface {
  name = 'Imports1764001300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE job_nodes (
      node_id text PRIMARY KEY,
      worker_ids text[] NOT NULL DEFAULT '{}',
      heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);

    await q.query(`CREATE TABLE import_jobs (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('METRICS', 'RELATIONSHIPS', 'CONVERSATIONS')),
      format text NOT NULL CHECK (format IN ('NDJSON', 'CSV')),
      status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
      rows integer NOT NULL DEFAULT 0,
      last_line integer NOT NULL DEFAULT 0,
      processed integer NOT NULL DEFAULT 0,
      accepted integer NOT NULL DEFAULT 0,
      duplicates integer NOT NULL DEFAULT 0,
      errors jsonb NOT NULL DEFAULT '[]',
      created_by_user_id uuid,
      created_by_api_key_id uuid,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      started_at timestamptz,
      finished_at timestamptz,
      PRIMARY KEY (organization_id, id)
    )`);
    await q.query(`CREATE INDEX import_jobs_page_idx ON import_jobs (organization_id, created_at, id)`);
    await isolateTenantTable(q, 'import_jobs');

    await q.query(`CREATE UNLOGGED TABLE import_rows (
      organization_id uuid NOT NULL,
      job_id uuid NOT NULL,
      line integer NOT NULL,
      raw text NOT NULL,
      PRIMARY KEY (organization_id, job_id, line)
    )`);
    await isolateTenantTable(q, 'import_rows');

    await q.query(`ALTER TABLE conversations ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 200)`);
    await q.query(
      `CREATE UNIQUE INDEX conversations_external_id ON conversations (organization_id, external_id) WHERE external_id IS NOT NULL`,
    );

    // Runs as its owner: graphile-worker's schema is the owner's, and rapport_app gets only this door.
    await q.query(`CREATE FUNCTION enqueue_job(identifier text, payload json, max_attempts integer DEFAULT 3, run_at timestamptz DEFAULT NULL)
      RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      BEGIN
        PERFORM graphile_worker.add_job(identifier, payload, run_at => run_at, max_attempts => max_attempts);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION enqueue_job(text, json, integer, timestamptz) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION enqueue_job(text, json, integer, timestamptz) TO rapport_app`);

    // Casts that answer NULL instead of failing: only the careful path of an import uses them,
    // to find which lines broke a fast set-based statement.
    await q.query(`CREATE FUNCTION try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END $$`);
    await q.query(`CREATE FUNCTION try_timestamptz(t text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
      BEGIN RETURN t::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION try_jsonb(text), try_timestamptz(text) TO rapport_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION try_jsonb(text), try_timestamptz(text), enqueue_job(text, json, integer, timestamptz)`);
    await q.query(`DROP INDEX conversations_external_id`);
    await q.query(`ALTER TABLE conversations DROP COLUMN external_id`);
    await q.query(`DROP TABLE import_rows, import_jobs, job_nodes`);
  }
}
