import type { TenantDb } from '../../db/tenant.js';
import type { TenantScope } from '../../platform/context.js';
import { check } from '../../platform/errors.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { DuplicateReason, type DuplicateGroup } from './relationship-duplicates.types.js';
import type { Relationship } from './relationship.entity.js';
import { relationshipById } from './relationship.loaders.js';
import { MAX_MERGE_SOURCES } from './relationship-merge.service.js';

/**
 * The bounds of one relationshipDuplicates call: it looks for the duplicates of the SCAN most
 * recently created relationships (new imports are where duplicates appear), each compared with
 * every relationship of the organization through an index, at most NEIGHBOURS similar names each.
 */
export const DUPLICATES = {
  scan: 2000,
  neighbours: 5,
  /** pg_trgm similarity a pair of names needs (docs/decisions.md). */
  similarity: 0.6,
  scores: { [DuplicateReason.SAME_IDENTITY]: 1, [DuplicateReason.SAME_EXTERNAL_ID]: 0.95, [DuplicateReason.SIMILAR_NAME]: 0.9 },
} as const;

interface Candidate {
  reason: DuplicateReason;
  ids: string[];
  score: number;
}

/** Relationships that look like one person. */
export class RelationshipDuplicatesService {
  constructor(private readonly scope: TenantScope) {}

  /** Groups of likely duplicates, best first; a group inside a better one is left out. */
  async find(first: number | null | undefined): Promise<DuplicateGroup[]> {
    const n = first ?? 20;
    check(Number.isInteger(n) && n >= 1 && n <= 100, 'first', 'first must be between 1 and 100');
    const m = await this.scope.db();
    const found = [...(await this.sameIdentity(m)), ...(await this.sameExternalId(m)), ...(await this.similarNames(m))];
    found.sort((a, b) => b.score - a.score || b.ids.length - a.ids.length || a.ids.join().localeCompare(b.ids.join()));
    const kept: Candidate[] = [];
    for (const c of found) {
      if (kept.length === n) break;
      if (!kept.some((k) => c.ids.every((id) => k.ids.includes(id)))) kept.push(c);
    }
    const rows = await this.scope.loader(relationshipById).loadMany([...new Set(kept.flatMap((k) => k.ids))]);
    const byId = new Map(rows.filter((r): r is Relationship => !!r && !(r instanceof Error)).map((r) => [r.id, r]));
    return kept.map((k) => ({
      reason: k.reason,
      score: k.score,
      relationships: k.ids
        .map((id) => byId.get(id)!)
        .sort((a, b) => a.connectedAt.getTime() - b.connectedAt.getTime() || a.id.localeCompare(b.id))
        .slice(0, MAX_MERGE_SOURCES + 1),
    }));
  }

  /** `WITH cand AS (...)`: the recent relationships the call looks for duplicates of. */
  private candidates(m: TenantDb, p: SqlParams): string {
    return `cand AS (SELECT r.id, r.name, r.external_id FROM relationships r WHERE r.organization_id = ${p.add(m.tenantId, 'uuid')}
                      ORDER BY r.created_at DESC, r.id DESC LIMIT ${DUPLICATES.scan})`;
  }

  /** Relationships sharing a handle on one platform with a recent one (own handles and added identities). */
  private async sameIdentity(m: TenantDb): Promise<Candidate[]> {
    const p = new SqlParams();
    const rows: Array<{ ids: string[] }> = await m.query(
      `WITH ${this.candidates(m, p)}, keys AS (
         SELECT lower(c.platform) AS platform, lower(r.handle) AS handle FROM cand JOIN relationships r ON r.id = cand.id
           JOIN communities c ON c.organization_id = r.organization_id AND c.id = r.community_id WHERE r.handle IS NOT NULL
         UNION
         SELECT lower(i.platform), lower(i.handle) FROM cand JOIN relationship_identities i ON i.relationship_id = cand.id
       )
       SELECT array_agg(DISTINCT x.id::text) AS ids FROM keys k CROSS JOIN LATERAL (
         SELECT r.id FROM relationships r JOIN communities c ON c.organization_id = r.organization_id AND c.id = r.community_id
          WHERE r.organization_id = ${p.add(m.tenantId, 'uuid')} AND lower(r.handle) = k.handle AND lower(c.platform) = k.platform
         UNION ALL
         SELECT i.relationship_id FROM relationship_identities i WHERE lower(i.platform) = k.platform AND lower(i.handle) = k.handle
       ) x GROUP BY k.platform, k.handle HAVING count(DISTINCT x.id) > 1`,
      p.values,
    );
    return rows.map((r) => ({ reason: DuplicateReason.SAME_IDENTITY, ids: r.ids, score: DUPLICATES.scores.SAME_IDENTITY }));
  }

  /** Relationships whose externalIds are equal, trimmed and lower-cased, to a recent one's. */
  private async sameExternalId(m: TenantDb): Promise<Candidate[]> {
    const p = new SqlParams();
    const rows: Array<{ ids: string[] }> = await m.query(
      `WITH ${this.candidates(m, p)}
       SELECT array_agg(r.id::text ORDER BY r.id) AS ids FROM (SELECT DISTINCT lower(btrim(external_id)) AS k FROM cand WHERE external_id IS NOT NULL) c
         JOIN relationships r ON r.organization_id = ${p.add(m.tenantId, 'uuid')} AND r.external_id IS NOT NULL AND lower(btrim(r.external_id)) = c.k
        GROUP BY c.k HAVING count(*) > 1`,
      p.values,
    );
    return rows.map((r) => ({ reason: DuplicateReason.SAME_EXTERNAL_ID, ids: r.ids, score: DUPLICATES.scores.SAME_EXTERNAL_ID }));
  }

  /** Pairs of a recent relationship and one with a similar name (trigram index, at most `neighbours` each). */
  private async similarNames(m: TenantDb): Promise<Candidate[]> {
    await m.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(DUPLICATES.similarity)]);
    const p = new SqlParams();
    const rows: Array<{ a: string; b: string; similarity: number }> = await m.query(
      `WITH ${this.candidates(m, p)}
       SELECT cand.id::text AS a, o.id::text AS b, o.similarity FROM cand CROSS JOIN LATERAL (
         SELECT r.id, similarity(r.name, cand.name)::float8 AS similarity FROM relationships r
          WHERE r.organization_id = ${p.add(m.tenantId, 'uuid')} AND r.name % cand.name AND r.id <> cand.id
          ORDER BY similarity DESC, r.id LIMIT ${DUPLICATES.neighbours}
       ) o`,
      p.values,
    );
    const pairs = new Map<string, Candidate>();
    for (const r of rows) {
      const ids = [r.a, r.b].sort();
      pairs.set(ids.join(), { reason: DuplicateReason.SIMILAR_NAME, ids, score: DUPLICATES.scores.SIMILAR_NAME * r.similarity });
    }
    return [...pairs.values()];
  }
}
