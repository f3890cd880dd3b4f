import type { TenantScope } from '../../platform/context.js';
import { check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { DATA_CHANGED, type DataChangedEvent } from '../communities/community.events.js';
import { pageOf } from '../../platform/pagination.js';
import { communityRelationshipCounts } from '../communities/community.loaders.js';
import { CommunityService } from '../communities/community.service.js';
import { optionalText, requiredText } from '../../platform/input.js';
import type { User } from '../members/user.entity.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { RelationshipStage } from './relationship-stage.js';
import { epochMs, type Projection } from '../../platform/sql/projection.js';
import { RELATIONSHIP_ROW, type Relationship } from './relationship.entity.js';
import type { CommunityRelationshipFilter, CreateRelationshipInput, RelationshipFilter, UpdateRelationshipInput } from './relationship.inputs.js';
import {
  communityRelationshipPages,
  communityRelationshipTotals,
  memberById,
  relationshipById,
  stageChangesOf,
  strengthOf,
} from './relationship.loaders.js';
import { relationshipConditions, relationshipWhere } from './relationship.sql.js';
import type { RelationshipStageChange } from './stage-change.entity.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';

type Written = Relationship & { _changeId: string | null; _changedAt: number | null };

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
   * `columns`: what the client's selection reads (relationshipColumns), all when left out.
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

  /** The member who created it; null for API-key-created ones and members who left. */
  async owner(relationship: Relationship): Promise<User | null> {
    return relationship.ownerId ? this.scope.loader(memberById).load(relationship.ownerId) : null;
  }

  /** Creates a relationship in an active community, recording its stage as the first stage change. */
  async create(input: CreateRelationshipInput): Promise<Relationship> {
    const values = [
      requiredText(input.name, 'name', 200),
      optionalText(input.handle, 'handle', 200),
      optionalText(input.company, 'company', 200),
      input.stage ?? RelationshipStage.CONNECTED,
      input.qualified ?? false,
    ];
    const community = await new CommunityService(this.scope).find(input.communityId);
    if (!community) throw new NotFoundError('Community', input.communityId);
    check(!community.archivedAt, 'communityId', 'communityId names an archived community, which takes no new relationships');
    const db = await this.scope.db();
    const [row]: Written[] = await db.query(
      `WITH t AS (SELECT clock_timestamp() AS at), r AS (
         INSERT INTO relationships (organization_id, community_id, name, handle, company, stage, qualified, owner_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT at FROM t), (SELECT at FROM t)) RETURNING *
       ), s AS (
         INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
         SELECT organization_id, id, NULL, stage, created_at FROM r RETURNING id, changed_at
       )
       SELECT ${RELATIONSHIP_ROW.sql}, s.id AS "_changeId", ${epochMs('s.changed_at')} AS "_changedAt" FROM r, s`,
      [db.tenantId, community.id, ...values, this.scope.principal.userId ?? null],
    );
    return this.written(row, 'relationship');
  }

  /** Changes the given fields; a new stage is recorded as a stage change at the time of the change. */
  async update(id: string, input: UpdateRelationshipInput): Promise<Relationship> {
    for (const field of ['name', 'stage', 'qualified'] as const) {
      check(input[field] !== null, field, `${field} cannot be null`);
    }
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
    const [old]: Array<{ stage: RelationshipStage }> = await db.query(`SELECT r.stage FROM relationships r WHERE r.id = $1 FOR UPDATE`, [id]);
    if (!old) throw new NotFoundError('Relationship', id);
    const [row]: Written[] = await db.query(
      `WITH r AS (UPDATE relationships SET ${sets.join(', ')} WHERE id = ${params.add(id)} RETURNING *),
       s AS (
         INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
         SELECT organization_id, id, ${params.add(old.stage)}, stage, updated_at FROM r WHERE stage <> ${params.add(old.stage)}
         RETURNING id, changed_at
       )
       SELECT ${RELATIONSHIP_ROW.sql}, s.id AS "_changeId", ${epochMs('s.changed_at')} AS "_changedAt" FROM r LEFT JOIN s ON TRUE`,
      params.values,
    );
    return this.written(row, 'relationship');
  }

  /** Rows read for a page answer later by-id loads (`conversation.relationship`) without a statement. */
  private prime(rows: Relationship[]): void {
    const byId = this.scope.loader(relationshipById);
    for (const row of rows) byId.prime(row.id, row);
  }

  /** Refreshes this request's loaders and publishes the change (and its stage change) after commit. */
  private written(row: Written, kind: 'relationship'): Relationship {
    RELATIONSHIP_ROW.hydrate([row]);
    const { _changeId, _changedAt, ...relationship } = row;
    this.scope.loader(relationshipById).clear(row.id).prime(row.id, relationship);
    this.scope.loader(stageChangesOf).clear(row.id);
    this.scope.loader(communityRelationshipCounts).clear(row.communityId);
    this.scope.loader(communityRelationshipPages).clearAll();
    this.scope.loader(communityRelationshipTotals).clearAll();
    const event: DataChangedEvent = { kind, id: row.id, communityId: row.communityId, at: row.updatedAt.toISOString() };
    this.scope.publishAfterCommit(DATA_CHANGED, event);
    if (_changeId && _changedAt !== null) {
      const change: DataChangedEvent = { kind: 'stage-change', id: _changeId, communityId: row.communityId, at: new Date(_changedAt).toISOString() };
      this.scope.publishAfterCommit(DATA_CHANGED, change);
    }
    return relationship;
  }
}
