import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * relationship_duplicate_candidates(scan, name_scan, neighbours, threshold): the duplicate groups of the
 * caller's tenant (app_tenant(), never an argument), for relationshipDuplicates. SECURITY DEFINER
 * because under row-level security PostgreSQL may not use an index for a non-leakproof operator
 * (pg_trgm's `%`, lower()): each of the `scan` lookups would read every row of the tenant. Every
 * table access below names `organization_id = t` itself; with no tenant set it returns nothing.
 */
export class DuplicateCandidates1764001201000 implements MigrationInterface {
  name = 'DuplicateCandidates1764001201000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION relationship_duplicate_candidates(p_scan int, p_name_scan int, p_neighbours int, p_threshold float8)
      RETURNS TABLE (dup_reason text, dup_ids uuid[], dup_similarity float8)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        t uuid := app_tenant();
      BEGIN
        IF t IS NULL THEN
          RETURN;
        END IF;
        PERFORM set_config('pg_trgm.similarity_threshold', p_threshold::text, true);
        RETURN QUERY
        WITH cand AS (
          SELECT r.id, r.name, r.handle, r.external_id, r.community_id, row_number() OVER (ORDER BY r.created_at DESC, r.id DESC) AS ord
            FROM relationships r WHERE r.organization_id = t ORDER BY r.created_at DESC, r.id DESC LIMIT p_scan
        ), idkeys AS (
          SELECT lower(c.platform) AS platform, lower(cand.handle) AS handle
            FROM cand JOIN communities c ON c.organization_id = t AND c.id = cand.community_id WHERE cand.handle IS NOT NULL
          UNION
          SELECT lower(i.platform), lower(i.handle) FROM cand JOIN relationship_identities i ON i.organization_id = t AND i.relationship_id = cand.id
        ), holders AS (
          SELECT k.platform, k.handle, x.id FROM idkeys k CROSS JOIN LATERAL (
            SELECT r.id FROM relationships r JOIN communities c ON c.organization_id = r.organization_id AND c.id = r.community_id
             WHERE r.organization_id = t AND lower(r.handle) = k.handle AND lower(c.platform) = k.platform
            UNION
            SELECT i.relationship_id FROM relationship_identities i
             WHERE i.organization_id = t AND lower(i.platform) = k.platform AND lower(i.handle) = k.handle
          ) x
        )
        SELECT 'SAME_IDENTITY'::text, array_agg(h.id ORDER BY h.id), 1::float8 FROM holders h
         GROUP BY h.platform, h.handle HAVING count(*) > 1
        UNION ALL
        SELECT 'SAME_EXTERNAL_ID'::text, array_agg(r.id ORDER BY r.id), 1::float8
          FROM (SELECT DISTINCT lower(btrim(cand.external_id)) AS k FROM cand WHERE cand.external_id IS NOT NULL) e
          JOIN relationships r ON r.organization_id = t AND r.external_id IS NOT NULL AND lower(btrim(r.external_id)) = e.k
         GROUP BY e.k HAVING count(*) > 1
        UNION ALL
        SELECT 'SIMILAR_NAME'::text, ARRAY[n.id, o.id], o.sim FROM (SELECT * FROM cand ORDER BY cand.ord LIMIT p_name_scan) n CROSS JOIN LATERAL (
          SELECT r.id, similarity(r.name, n.name)::float8 AS sim FROM relationships r
           WHERE r.organization_id = t AND r.name % n.name AND r.id <> n.id
           ORDER BY 2 DESC, r.id LIMIT p_neighbours
        ) o;
      END
      $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION relationship_duplicate_candidates(int, int, int, float8) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION relationship_duplicate_candidates(int, int, int, float8) TO rapport_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION relationship_duplicate_candidates(int, int, int, float8)`);
  }
}
