import type { TenantDb } from '../../db/tenant.js';
import type { TenantScope } from '../../platform/context.js';
import { BadInputError, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { DATA_CHANGED, GRAPH_WRITTEN, type DataChangedEvent } from '../communities/community.events.js';
import { epochMs } from '../../platform/sql/projection.js';
import { contributionsOf, difference, mergedPart, type Contribution, type Part } from './merge-contributions.js';
import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import { stageRank } from './relationship-history.js';
import { identityKey } from './relationship-identity.types.js';
import { taken } from './relationship-identity.service.js';
import { RELATIONSHIP_ROW } from './relationship.table.js';
import { type Relationship } from './relationship.types.js';
import { strengthOf } from './relationship.loaders.js';
import type { RelationshipStage } from './relationship-stage.js';
import { RelationshipService } from './relationship.service.js';

/** At most this many relationships are merged into one per call. */
export const MAX_MERGE_SOURCES = 20;

interface Locked {
  id: string;
  communityId: string;
  platform: string;
  handle: string | null;
  stage: RelationshipStage;
  connectedAt: number;
  qualified: boolean;
}

/** Merges relationships that are one person into one. */
export class RelationshipMergeService {
  constructor(private readonly scope: TenantScope) {}

  /**
   * Merges `sourceIds` into `targetId` in the request's transaction: the target keeps its id and
   * gets every conversation, stage change and identity of the sources (their own handles become
   * identities), the earliest connectedAt, the furthest current stage, and qualified when any was;
   * the sources are deleted. Built-in metrics then count the person once, each stage at the
   * earliest time any part reached it (built-in-metrics.ts).
   */
  async merge(targetId: string, sourceIds: readonly string[]): Promise<Relationship> {
    const target = targetId.toLowerCase();
    const sources = this.checkIds(target, sourceIds);
    const m = await this.scope.db();
    const locked = await this.lock(m, [target, ...sources], [targetId, ...sourceIds]);
    const parts = await this.parts(m, [target, ...sources].map((id) => locked.get(id)!));
    const moved = await this.movedConversations(m, sources, locked.get(target)!.communityId);
    await this.moveIdentities(m, locked.get(target)!, sources.map((id) => locked.get(id)!));
    await m.query(`UPDATE conversations SET relationship_id = $1 WHERE relationship_id = ANY($2::uuid[])`, [target, sources]);
    await m.query(`UPDATE relationship_stage_changes SET relationship_id = $1 WHERE relationship_id = ANY($2::uuid[])`, [target, sources]);
    const [gone] = await m.query(
      `WITH d AS (DELETE FROM relationships WHERE id = ANY($1::uuid[]) RETURNING external_id, company, created_at)
       SELECT (array_agg(external_id ORDER BY created_at) FILTER (WHERE external_id IS NOT NULL))[1] AS external_id,
              (array_agg(company ORDER BY created_at) FILTER (WHERE company IS NOT NULL))[1] AS company FROM d`,
      [sources],
    );
    const all = [...locked.values()];
    const stage = all.map((r) => r.stage).reduce((a, b) => (stageRank(b) > stageRank(a) ? b : a));
    const [row]: Relationship[] = await m.query(
      // In a WITH: TypeORM answers a bare UPDATE with [rows, count].
      `WITH r AS (
         UPDATE relationships r SET connected_at = $2, qualified = $3, stage = $4, company = coalesce(r.company, $5),
                external_id = coalesce(r.external_id, $6), updated_at = clock_timestamp()
          WHERE r.id = $1 RETURNING *
       ) SELECT ${RELATIONSHIP_ROW.sql} FROM r`,
      [target, new Date(Math.min(...all.map((r) => r.connectedAt))).toISOString(), all.some((r) => r.qualified), stage, gone.company, gone.external_id],
    );
    RELATIONSHIP_ROW.hydrate([row]);
    const changed = this.publish(parts, moved, row);
    const before = locked.get(target)!.stage;
    if (row.stage !== before) {
      // The target took a source's later stage: to a webhook, the merge changed its stage.
      await emitWebhookEvent(m, WebhookEvent.RELATIONSHIP_STAGE_CHANGED, {
        relationshipId: row.id,
        communityId: row.communityId,
        from: before,
        to: row.stage,
        changedAt: row.updatedAt.toISOString(),
      });
    }
    await GRAPH_WRITTEN.run(m, { keys: changed.keys, from: changed.at, to: changed.until ?? changed.at });
    const relationships = new RelationshipService(this.scope);
    relationships.forget([target, ...sources], [...new Set(all.map((r) => r.communityId))]);
    this.scope.loader(strengthOf).clear(target);
    return row;
  }

  /** Sources: 1..MAX_MERGE_SOURCES distinct ids, none the target; malformed ids are unknown ones. */
  private checkIds(target: string, sourceIds: readonly string[]): string[] {
    if (!sourceIds.length || sourceIds.length > MAX_MERGE_SOURCES) {
      throw new BadInputError(`sourceIds must hold 1 to ${MAX_MERGE_SOURCES} ids`, { field: 'sourceIds' });
    }
    const seen = new Set<string>();
    return sourceIds.map((id, index) => {
      const source = id.toLowerCase();
      if (source === target) throw new BadInputError('a relationship cannot be merged with itself: sourceIds holds targetId', { field: 'sourceIds', index });
      if (seen.has(source)) throw new BadInputError(`sourceIds holds '${id}' twice`, { field: 'sourceIds', index });
      seen.add(source);
      return source;
    });
  }

  /** Locks every relationship of the merge (in id order, so concurrent merges cannot deadlock); NOT_FOUND for the first missing one. */
  private async lock(m: TenantDb, ids: string[], given: readonly string[]): Promise<Map<string, Locked>> {
    const rows: Locked[] = ids.every(isUuid)
      ? await m.query(
          `SELECT r.id, r.community_id AS "communityId", c.platform, r.handle, r.stage, ${epochMs('r.connected_at')} AS "connectedAt", r.qualified
             FROM relationships r JOIN communities c ON c.organization_id = r.organization_id AND c.id = r.community_id
            WHERE r.id = ANY($1::uuid[]) ORDER BY r.id FOR UPDATE OF r`,
          [ids],
        )
      : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = ids.findIndex((id) => !byId.has(id));
    if (missing >= 0) throw new NotFoundError('Relationship', given[missing]);
    return byId;
  }

  /** What each relationship counts in the built-in metrics before the merge, and the merged person after. */
  private async parts(m: TenantDb, locked: Locked[]): Promise<{ before: Part[]; after: Part }> {
    const changes: Array<{ relationshipId: string; id: string; to: RelationshipStage; at: number }> = await m.query(
      `SELECT s.relationship_id AS "relationshipId", s.id, s.to_stage AS "to", ${epochMs('s.changed_at')} AS at
         FROM relationship_stage_changes s WHERE s.relationship_id = ANY($1::uuid[])`,
      [locked.map((r) => r.id)],
    );
    // The target first: mergedPart keeps its id and community.
    const before = locked.map((r) => ({ ...r, changes: changes.filter((c) => c.relationshipId === r.id) }));
    return { before, after: mergedPart(before[0], before.slice(1)) };
  }

  /** Conversations of sources in another community than the target's: they change community. */
  private movedConversations(m: TenantDb, sources: string[], communityId: string): Promise<Contribution[]> {
    return m.query(
      `SELECT k.key, r.community_id AS "communityId", ${epochMs('v.occurred_at')} AS at, count(*)::int AS value
         FROM conversations v JOIN relationships r ON r.organization_id = v.organization_id AND r.id = v.relationship_id
         CROSS JOIN LATERAL (VALUES ('conversations'), ('qualified_conversations')) AS k(key)
        WHERE v.relationship_id = ANY($1::uuid[]) AND r.community_id <> $2 AND (k.key = 'conversations' OR v.qualified)
        GROUP BY 1, 2, 3`,
      [sources, communityId],
    );
  }

  /**
   * Moves the sources' added identities to the target and adds their own handles as identities of
   * it. A handle another relationship holds as an added identity is BAD_USER_INPUT naming it (it is
   * the same person too: merge it as well).
   */
  private async moveIdentities(m: TenantDb, target: Locked, sources: Locked[]): Promise<void> {
    const own = new Map<string, { platform: string; handle: string }>();
    for (const s of sources) if (s.handle) own.set(identityKey({ platform: s.platform, handle: s.handle }), { platform: s.platform, handle: s.handle });
    if (target.handle) own.delete(identityKey({ platform: target.platform, handle: target.handle }));
    const ids = [target.id, ...sources.map((s) => s.id)];
    const handles = [...own.values()];
    const [clash] = await m.query(
      `SELECT i.relationship_id AS id, i.platform, i.handle FROM relationship_identities i
         JOIN unnest($1::text[], $2::text[]) AS h(platform, handle) ON lower(i.platform) = lower(h.platform) AND lower(i.handle) = lower(h.handle)
        WHERE i.relationship_id <> ALL($3::uuid[]) LIMIT 1`,
      [handles.map((h) => h.platform), handles.map((h) => h.handle), ids],
    );
    if (clash) throw taken(clash.platform, clash.handle, clash.id);
    await m.query(`UPDATE relationship_identities SET relationship_id = $1 WHERE relationship_id = ANY($2::uuid[])`, [target.id, ids.slice(1)]);
    await m.query(
      `INSERT INTO relationship_identities (organization_id, relationship_id, platform, handle)
       SELECT $1, $2, h.platform, h.handle FROM unnest($3::text[], $4::text[]) AS h(platform, handle)
       ON CONFLICT DO NOTHING`,
      [m.tenantId, target.id, handles.map((h) => h.platform), handles.map((h) => h.handle)],
    );
    if (target.handle) {
      await m.query(`DELETE FROM relationship_identities WHERE relationship_id = $1 AND lower(platform) = lower($2) AND lower(handle) = lower($3)`, [
        target.id,
        target.platform,
        target.handle,
      ]);
    }
  }

  /**
   * After commit, one `merge` data change with what the merge added to and took from each built-in
   * metric (negative values), so live metrics, goals and ROI follow.
   */
  private publish(parts: { before: Part[]; after: Part }, moved: Contribution[], row: Relationship): DataChangedEvent {
    const points = difference(parts.before.flatMap(contributionsOf), contributionsOf(parts.after));
    for (const c of moved) points.push({ ...c, value: -c.value }, { ...c, communityId: row.communityId });
    const keys = new Set(points.map((p) => p.key));
    if (moved.length) keys.add('avg_sentiment');
    const first = points.reduce((t, p) => Math.min(t, p.at), points.length ? Infinity : row.updatedAt.getTime());
    const last = points.reduce((t, p) => Math.max(t, p.at), points.length ? -Infinity : first);
    const event: DataChangedEvent = {
      kind: 'merge',
      id: row.id,
      communityId: row.communityId,
      at: new Date(first).toISOString(),
      until: new Date(last).toISOString(),
      keys: [...keys],
      points: points.map((p) => ({ metricKey: p.key, communityId: p.communityId, at: new Date(p.at).toISOString(), value: p.value })),
    };
    this.scope.publishAfterCommit(DATA_CHANGED, event);
    return event;
  }
}
