import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables whose writes change what a report (ROI, metrics) computes from. */
const INPUT_TABLES = ['organizations', 'communities', 'relationships', 'relationship_stage_changes', 'conversations', 'metric_definitions', 'metric_points'];

/**
 * A data version per tenant, for caches of computed reports: every committed transaction that
 * writes an input table adds one to its tenant's version (writes made outside any tenant, by the
 * owner, to every tenant's). Each writing transaction inserts its own row (organization, txid),
 * so concurrent writers never wait on each other; the version is the sum of `n` over the tenant's
 * rows and the owner's, and readers fold old rows into one now and then (the sum is kept).
 * The table belongs to the owner (who bypasses RLS); `rapport_app` is granted nothing on it and
 * reaches it only through `tenant_data_version()`, which reads the bound tenant's version only.
 */
export class DataVersions1764001600000 implements MigrationInterface {
  name = 'DataVersions1764001600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE data_versions (
      organization_id uuid NOT NULL,
      txid bigint NOT NULL,
      n bigint NOT NULL DEFAULT 1,
      PRIMARY KEY (organization_id, txid)
    )`);
    await q.query(`REVOKE ALL ON data_versions FROM PUBLIC`);
    // Under RLS like every table with organization_id, though rapport_app is granted nothing on it.
    await q.query(`ALTER TABLE data_versions ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE data_versions FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON data_versions USING (organization_id = app_tenant()) WITH CHECK (organization_id = app_tenant())`);
    await q.query(`CREATE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      BEGIN
        INSERT INTO data_versions (organization_id, txid)
        VALUES (coalesce(app_tenant(), '00000000-0000-0000-0000-000000000000'), txid_current())
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    for (const table of INPUT_TABLES) {
      await q.query(`CREATE TRIGGER data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()`);
    }
    // NULL when this transaction has written (its own writes may yet roll back: nothing may be cached).
    await q.query(`CREATE FUNCTION tenant_data_version() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        tenant uuid := app_tenant();
        owner uuid := '00000000-0000-0000-0000-000000000000';
        version bigint;
        rows bigint;
        folded bigint;
        org uuid;
      BEGIN
        IF tenant IS NULL THEN RAISE EXCEPTION 'tenant_data_version() needs a bound tenant'; END IF;
        IF txid_current_if_assigned() IS NOT NULL THEN RETURN NULL; END IF;
        SELECT coalesce(sum(n), 0), count(*) INTO version, rows FROM data_versions WHERE organization_id IN (tenant, owner);
        IF rows > 256 AND pg_try_advisory_xact_lock(hashtext('data_versions:' || tenant::text)) THEN
          FOR org IN SELECT unnest(ARRAY[tenant, owner]) LOOP
            WITH gone AS (DELETE FROM data_versions WHERE organization_id = org AND txid <> 0 RETURNING n)
            SELECT coalesce(sum(n), 0) INTO folded FROM gone;
            INSERT INTO data_versions (organization_id, txid, n) VALUES (org, 0, folded)
            ON CONFLICT (organization_id, txid) DO UPDATE SET n = data_versions.n + excluded.n;
          END LOOP;
        END IF;
        RETURN version;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION tenant_data_version() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION tenant_data_version() TO rapport_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of INPUT_TABLES) await q.query(`DROP TRIGGER data_changed ON ${table}`);
    await q.query(`DROP FUNCTION tenant_data_version(), note_data_change()`);
    await q.query(`DROP TABLE data_versions`);
  }
}
