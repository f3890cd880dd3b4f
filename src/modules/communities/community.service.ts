import type { TenantScope } from '../../platform/context.js';
import { check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { DATA_CHANGED, type DataChangedEvent } from './community.events.js';
import { pageOf } from '../../platform/pagination.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { COMMUNITY_ROW } from './community.table.js';
import { type Community } from './community.types.js';
import type { CommunityFilter, CreateCommunityInput, UpdateCommunityInput } from './community.inputs.js';
import { communityById, communityRelationshipCounts, type RelationshipCounts } from './community.loaders.js';
import { optionalRange, optionalText, optionalUrl, requiredText, tagList } from '../../platform/input.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';

/** The SQL conditions of a CommunityFilter over alias `c`, adding its parameters to `params`. */
function filterSql(filter: CommunityFilter | null | undefined, params: SqlParams): string {
  const where = ['TRUE'];
  if (filter?.platform != null) where.push(`lower(c.platform) = lower(${params.add(filter.platform.trim())})`);
  if (filter?.qualified != null) where.push(`c.qualified = ${params.add(filter.qualified)}`);
  if (filter?.archived === true) where.push('c.archived_at IS NOT NULL');
  if (filter?.archived === false) where.push('c.archived_at IS NULL');
  return where.join(' AND ');
}

/** Communities of the caller's organization. */
export class CommunityService {
  constructor(private readonly scope: TenantScope) {}

  /** A page of communities in creation order; archived ones included unless the filter says otherwise. */
  async list(first: number | null | undefined, after: string | null | undefined, filter?: CommunityFilter | null): Promise<Connection<Community>> {
    const page = pageOf(first, after);
    const params = new SqlParams();
    const where = filterSql(filter, params);
    const countParams = params.snapshot();
    const k = keysetPage('c', page, params);
    const rows = await this.rows(`SELECT ${COMMUNITY_ROW.sql}, ${k.micros} FROM communities c WHERE ${where} AND ${k.after} ${k.orderLimit}`, params.values);
    const byId = this.scope.loader(communityById);
    for (const row of rows) byId.prime(row.id, row);
    return connectionOf(rows, page, async () => {
      const [row] = await (await this.scope.db()).query(`SELECT count(*)::int AS n FROM communities c WHERE ${where}`, countParams);
      return row.n as number;
    });
  }

  /** One community, or null when it is unknown or another organization's. */
  find(id: string): Promise<Community | null> {
    return this.scope.loader(communityById).load(id);
  }

  /** Its relationship counts, batched across communities. */
  counts(id: string): Promise<RelationshipCounts> {
    return this.scope.loader(communityRelationshipCounts).load(id);
  }

  async create(input: CreateCommunityInput): Promise<Community> {
    const values = [
      requiredText(input.name, 'name', 200),
      requiredText(input.platform, 'platform', 100),
      optionalUrl(input.url, 'url'),
      input.qualified ?? false,
      optionalRange(input.alignmentScore, 'alignmentScore', 0, 1),
      tagList(input.tags, 'tags'),
    ];
    const db = await this.scope.db();
    // One clock reading, so a new community's updatedAt equals its createdAt.
    const [row] = await this.rows(
      `WITH t AS (SELECT clock_timestamp() AS at)
       INSERT INTO communities AS c (organization_id, name, platform, url, qualified, alignment_score, tags, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::text[], (SELECT at FROM t), (SELECT at FROM t)) RETURNING ${COMMUNITY_ROW.sql}`,
      [db.tenantId, ...values],
    );
    return this.written(row);
  }

  /** Changes the given fields; archived communities may be edited too. */
  async update(id: string, input: UpdateCommunityInput): Promise<Community> {
    for (const field of ['name', 'platform', 'qualified'] as const) {
      check(input[field] !== null, field, `${field} cannot be null`);
    }
    const params = new SqlParams();
    const sets = ['updated_at = clock_timestamp()'];
    if (input.name != null) sets.push(`name = ${params.add(requiredText(input.name, 'name', 200))}`);
    if (input.platform != null) sets.push(`platform = ${params.add(requiredText(input.platform, 'platform', 100))}`);
    if (input.url !== undefined) sets.push(`url = ${params.add(optionalUrl(input.url, 'url'))}`);
    if (input.qualified != null) sets.push(`qualified = ${params.add(input.qualified)}`);
    if (input.alignmentScore !== undefined) {
      sets.push(`alignment_score = ${params.add(optionalRange(input.alignmentScore, 'alignmentScore', 0, 1))}`);
    }
    if (input.tags !== undefined) sets.push(`tags = ${params.add(tagList(input.tags, 'tags'), 'text[]')}`);
    if (!isUuid(id)) throw new NotFoundError('Community', id);
    const [row] = await this.rows(
      `WITH c AS (UPDATE communities SET ${sets.join(', ')} WHERE id = ${params.add(id)} RETURNING *) SELECT ${COMMUNITY_ROW.sql} FROM c`,
      params.values,
    );
    if (!row) throw new NotFoundError('Community', id);
    return this.written(row);
  }

  /** Archives a community (once: archiving it again changes nothing). Its relationships and history stay. */
  async archive(id: string): Promise<Community> {
    if (!isUuid(id)) throw new NotFoundError('Community', id);
    const [row] = await this.rows(
      `WITH c AS (
         UPDATE communities SET archived_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE id = $1 AND archived_at IS NULL RETURNING *
       ) SELECT ${COMMUNITY_ROW.sql} FROM c`,
      [id],
    );
    if (row) return this.written(row);
    const existing = await this.find(id);
    if (!existing) throw new NotFoundError('Community', id);
    return existing;
  }

  /** Community rows of a statement that selects COMMUNITY_ROW's columns. A bare UPDATE would answer
   * [rows, count] through TypeORM, so writes wrap UPDATE in a CTE. */
  private async rows(sql: string, params: unknown[]): Promise<Community[]> {
    return COMMUNITY_ROW.hydrate(await (await this.scope.db()).query(sql, params));
  }

  private written(row: Community): Community {
    this.scope.loader(communityById).clear(row.id).prime(row.id, row);
    const event: DataChangedEvent = { kind: 'community', id: row.id, communityId: row.id, at: row.updatedAt.toISOString() };
    this.scope.publishAfterCommit(DATA_CHANGED, event);
    return row;
  }
}
