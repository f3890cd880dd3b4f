import type { TenantScope } from '../../platform/context.js';
import { check } from '../../platform/errors.js';
import { DuplicateReason, type DuplicateGroup } from './relationship-duplicates.types.js';
import type { Relationship } from './relationship.types.js';
import { relationshipById } from './relationship.loaders.js';
import { MAX_MERGE_SOURCES } from './relationship-merge.service.js';

/**
 * The bounds of one relationshipDuplicates call: it looks for the duplicates of the `scan` most
 * recently created relationships (new imports are where duplicates appear) by identity and
 * externalId, and of the `nameScan` most recent by name, each compared with every relationship of
 * the organization through an index, at most `neighbours` similar names each.
 */
export const DUPLICATES = {
  scan: 2000,
  nameScan: 500,
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
    const found = await this.candidates();
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

  /** Every group the bounded search finds (relationship_duplicate_candidates in migrations); similar names in pairs, once each. */
  private async candidates(): Promise<Candidate[]> {
    const db = await this.scope.db();
    const rows: Array<{ reason: DuplicateReason; ids: string[]; similarity: number }> = await db.query(
      `SELECT dup_reason AS reason, dup_ids::text[] AS ids, dup_similarity AS similarity FROM relationship_duplicate_candidates($1, $2, $3, $4)`,
      [DUPLICATES.scan, DUPLICATES.nameScan, DUPLICATES.neighbours, DUPLICATES.similarity],
    );
    const groups = new Map<string, Candidate>();
    for (const r of rows) {
      const ids = [...r.ids].sort();
      const score = DUPLICATES.scores[r.reason] * (r.reason === DuplicateReason.SIMILAR_NAME ? r.similarity : 1);
      groups.set(`${r.reason}|${ids.join()}`, { reason: r.reason, ids, score });
    }
    return [...groups.values()];
  }
}
