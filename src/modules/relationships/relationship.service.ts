import type { TenantScope } from '../../platform/context.js';
import { check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import type { TenantDb } from '../../db/tenant.js';
import { DATA_CHANGED, GRAPH_WRITTEN, type DataChangedEvent } from '../communities/community.events.js';
import { pageOf } from '../../platform/pagination.js';
import { communityRelationshipCounts } from '../communities/community.loaders.js';
import { CommunityService } from '../communities/community.service.js';
import { optionalText, requiredText } from '../../platform/input.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import type { RelationshipStage } from './relationship-stage.js';
import { planHistory, planStageChange } from './relationship-history.js';
import { epochMs, type Projection } from '../../platform/sql/projection.js';
import { RELATIONSHIP_ROW } from './relationship.table.js';
import { type Relationship } from './relationship.types.js';
import type { CommunityRelationshipFilter, CreateRelationshipInput, RelationshipFilter, UpdateRelationshipInput } from './relationship.inputs.js';
import {
  communityRelationshipPages,
  communityRelationshipTotals,
  identitiesOf,
  relationshipById,
  stageChangesOf,
  strengthOf,
} from './relationship.loaders.js';
import { relationshipConditions, relationshipWhere } from './relationship.sql.js';
import type { RelationshipStageChange } from './relationship.types.js';
import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';

/** A written row, with the stage changes written with it (id, epoch ms). */
type Written = Relationship & { _changes: Array<{ id: string; at: number }> | null };

/** Relationships of the caller's organization and their stage history. */
export class RelationshipService {
  constructor(private readonly scope: TenantScope) {}

  /** A page of relationships in creation order. */
  async list(first: number | null | undefined, after: string | null | undefined, filter?: RelationshipFilter | null): Promise<Connection<Relationship>> {
    const page = pageOf(first, after);
    const params = new SqlParams();
    const where = relationshipWhere(relationshipConditions(filter), params);
    const countParams = params.snapshot();
    const k = keysetPage('r', page, params);
    const db = await this.scope.db();
    const rows: Relationship[] = RELATIONSHIP_ROW.hydrate(
      await db.query(`SELECT ${RELATIONSHIP_ROW.sql}, ${k.micros} FROM relationships r WHERE ${where} AND ${k.after} ${k.orderLimit}`, params.values),
    );
    this.prime(rows);
    return connectionOf(rows, page, async () => {
      const [row] = await db.query(`SELECT count(*)::int AS n FROM relationships r WHERE ${where}`, countParams);
      return row.n as number;
    });
  }

  /**
   * A page of one community's relationships, batched with its sibling communities' pages.
   * `columns`: what the client's selection reads (nodeProjection), all when left out.
   */
  async ofCommunity(
    communityId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    filter?: CommunityRelationshipFilter | null,
    columns: Projection = RELATIONSHIP_ROW,
  ): Promise<Connection<Relationship>> {
    const page = pageOf(first, after);
    const conditions = relationshipConditions({ ...filter, communityId: null });
    const rows = await this.scope.loader(communityRelationshipPages).load({ parentId: communityId, page, filter: { conditions, columns } });
    if (columns.complete) this.prime(rows);
    return connectionOf(rows, page, () => this.scope.loader(communityRelationshipTotals).load({ parentId: communityId, filter: conditions }));
  }

  /** One relationship, or null when it is unknown or another organization's. */
  find(id: string): Promise<Relationship | null> {
    return this.scope.loader(relationshipById).load(id);
  }

  /** Its stage changes, oldest first. */
  stageChanges(id: string): Promise<RelationshipStageChange[]> {
    return this.scope.loader(stageChangesOf).load(id);
  }

  /** Its strength from its conversations (strength.ts). */
  strength(id: string): Promise<number> {
    return this.scope.loader(strengthOf).load(id);
  }

  /**
   * Creates a relationship in an active community, with its past when given (relationship-history.ts):
   * its start and every stage change are recorded at their own times.
   */
  async create(input: CreateRelationshipInput): Promise<Relationship> {
    const values = [
      requiredText(input.name, 'name', 200),
      optionalText(input.handle, 'handle', 200),
      optionalText(input.company, 'company', 200),
      input.qualified ?? false,
    ];
    const externalId = optionalText(input.externalId, 'externalId', 200);
    const plan = planHistory(input, new Date());
    const community = await new CommunityService(this.scope).find(input.communityId);
    if (!community) throw new NotFoundError('Community', input.communityId);
    check(!community.archivedAt, 'communityId', 'communityId names an archived community, which takes no new relationships');
    const db = await this.scope.db();
    const p = new SqlParams();
    const connectedAt = plan.connectedAt ? p.add(plan.connectedAt.toISOString(), 'timestamptz') : '(SELECT at FROM t)';
    // Without connectedAt the one change has no time of its own: it is the relationship's start.
    const times = plan.connectedAt ? plan.changes.map((c) => c.at.toISOString()) : [null];
    const [row]: Written[] = await db.query(
      `WITH t AS (SELECT clock_timestamp() AS at), r AS (
         INSERT INTO relationships AS r (organization_id, community_id, name, handle, company, qualified, stage, owner_id,
                                         external_id, connected_at, created_at, updated_at)
         VALUES (${p.add(db.tenantId, 'uuid')}, ${p.add(community.id, 'uuid')}, ${values.map((v) => p.add(v)).join(', ')},
                 ${p.add(plan.stage)}, ${p.add(this.scope.principal.userId ?? null, 'uuid')}, ${p.add(externalId, 'text')}, ${connectedAt},
                 (SELECT at FROM t), (SELECT at FROM t))
         ON CONFLICT ON CONSTRAINT relationships_external_id_key DO NOTHING
         RETURNING *
       ), s AS (
         INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
         SELECT r.organization_id, r.id, c.from_stage, c.to_stage, coalesce(c.at, r.connected_at)
           FROM r, unnest(${p.add(plan.changes.map((c) => c.from), 'text[]')}, ${p.add(plan.changes.map((c) => c.to), 'text[]')},
                          ${p.add(times, 'timestamptz[]')}) AS c(from_stage, to_stage, at)
         RETURNING id, changed_at
       )
       SELECT ${RELATIONSHIP_ROW.sql},
              (SELECT json_agg(json_build_object('id', s.id, 'at', ${epochMs('s.changed_at')})) FROM s) AS "_changes"
         FROM r`,
      p.values,
    );
    check(row !== undefined, 'externalId', `externalId '${externalId}' is already the id of another relationship of this organization`);
    return this.graphWritten(db, this.written(row, 'connectedAt'));
  }

  /**
   * Changes the given fields; a new stage is recorded as a stage change at stageChangedAt (default
   * now), which must not be before the last change.
   */
  async update(id: string, input: UpdateRelationshipInput): Promise<Relationship> {
    for (const field of ['name', 'stage', 'qualified'] as const) {
      check(input[field] !== null, field, `${field} cannot be null`);
    }
    check(input.stageChangedAt == null || input.stage != null, 'stageChangedAt', 'stageChangedAt is the time of a stage change: give it with a stage');
    const params = new SqlParams();
    const sets = ['updated_at = clock_timestamp()'];
    if (input.name != null) sets.push(`name = ${params.add(requiredText(input.name, 'name', 200))}`);
    if (input.handle !== undefined) sets.push(`handle = ${params.add(optionalText(input.handle, 'handle', 200))}`);
    if (input.company !== undefined) sets.push(`company = ${params.add(optionalText(input.company, 'company', 200))}`);
    if (input.stage != null) sets.push(`stage = ${params.add(input.stage)}`);
    if (input.qualified != null) sets.push(`qualified = ${params.add(input.qualified)}`);
    if (!isUuid(id)) throw new NotFoundError('Relationship', id);
    const db = await this.scope.db();
    // Locked first, so concurrent updates record a gapless chain of stage changes.
    const [old]: Array<{ stage: RelationshipStage; last: Date | null }> = await db.query(
      `SELECT r.stage, (SELECT max(s.changed_at) FROM relationship_stage_changes s WHERE s.relationship_id = r.id) AS last
         FROM relationships r WHERE r.id = $1 FOR UPDATE`,
      [id],
    );
    if (!old) throw new NotFoundError('Relationship', id);
    const changedAt =
      input.stageChangedAt != null ? params.add(planStageChange(input.stageChangedAt, old.last ?? new Date(0), new Date()).toISOString(), 'timestamptz') : 'updated_at';
    const [row]: Written[] = await db.query(
      `WITH r AS (UPDATE relationships SET ${sets.join(', ')} WHERE id = ${params.add(id)} RETURNING *),
       s AS (
         INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
         SELECT organization_id, id, ${params.add(old.stage)}, stage, ${changedAt} FROM r WHERE stage <> ${params.add(old.stage)}
         RETURNING id, changed_at
       )
       SELECT ${RELATIONSHIP_ROW.sql}, (SELECT json_agg(json_build_object('id', s.id, 'at', ${epochMs('s.changed_at')})) FROM s) AS "_changes"
         FROM r`,
      params.values,
    );
    for (const change of row._changes ?? []) {
      await emitWebhookEvent(db, WebhookEvent.RELATIONSHIP_STAGE_CHANGED, {
        relationshipId: row.id,
        communityId: row.communityId,
        from: old.stage,
        to: row.stage,
        changedAt: new Date(change.at).toISOString(),
      });
    }
    return this.graphWritten(db, this.written(row, 'updatedAt'));
  }

  /** Lets goals on built-in metrics see the write (goal.reached): it counts from connectedAt to now. */
  private async graphWritten(db: TenantDb, row: Relationship): Promise<Relationship> {
    await GRAPH_WRITTEN.run(db, { from: row.connectedAt.toISOString(), to: new Date().toISOString() });
    return row;
  }

  /** Rows read for a page answer later by-id loads (`conversation.relationship`) without a statement. */
  private prime(rows: Relationship[]): void {
    const byId = this.scope.loader(relationshipById);
    for (const row of rows) byId.prime(row.id, row);
  }

  /** Refreshes this request's loaders and publishes the change (at its `time`) and its stage changes after commit. */
  private written(row: Written, time: 'connectedAt' | 'updatedAt'): Relationship {
    RELATIONSHIP_ROW.hydrate([row]);
    const at = row[time];
    const { _changes, ...relationship } = row;
    this.forget([row.id], [row.communityId]);
    this.scope.loader(relationshipById).prime(row.id, relationship);
    const event: DataChangedEvent = { kind: 'relationship', id: row.id, communityId: row.communityId, at: at.toISOString() };
    this.scope.publishAfterCommit(DATA_CHANGED, event);
    for (const change of _changes ?? []) {
      const changed: DataChangedEvent = { kind: 'stage-change', id: change.id, communityId: row.communityId, at: new Date(change.at).toISOString() };
      this.scope.publishAfterCommit(DATA_CHANGED, changed);
    }
    return relationship;
  }

  /** Clears what this request's loaders hold of these relationships and communities. */
  forget(ids: readonly string[], communityIds: readonly string[]): void {
    for (const id of ids) {
      this.scope.loader(relationshipById).clear(id);
      this.scope.loader(stageChangesOf).clear(id);
      this.scope.loader(identitiesOf).clear(id);
    }
    for (const id of communityIds) this.scope.loader(communityRelationshipCounts).clear(id);
    this.scope.loader(communityRelationshipPages).clearAll();
    this.scope.loader(communityRelationshipTotals).clearAll();
  }
}
