import type { TenantScope } from '../../platform/context.js';
import { check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { GOAL_CHANGED, type GoalChangedEvent } from './goal.events.js';
import { pageOf } from '../../platform/pagination.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';
import { keysetPage } from '../../platform/sql/keyset.js';
import { SqlParams } from '../../platform/sql/sql-params.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { RoiModelService } from '../roi/roi-model.service.js';
import { optionalText, requiredText } from '../../platform/input.js';
import { GOAL_ROW } from './goal.table.js';
import { type Goal } from './goal.types.js';
import type { CreateGoalInput, UpdateGoalInput } from './goal.inputs.js';

/** A goal's fields once validated. */
interface GoalFields {
  name: string;
  description: string | null;
  metricKey: string | null;
  roiModelId: string | null;
  target: number;
  startsAt: Date;
  endsAt: Date;
}

/** Goals of the caller's organization. */
export class GoalService {
  constructor(private readonly scope: TenantScope) {}

  /** One goal, or null when it is unknown, malformed or another tenant's. */
  async find(id: string): Promise<Goal | null> {
    if (!isUuid(id)) return null;
    const rows = await this.rows(`SELECT ${GOAL_ROW.sql} FROM goals g WHERE g.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /**
   * The goals a batch of writes may have moved: those named, and those whose metric got a point
   * inside their period (`spans`: per metric key, the earliest and latest time written, epoch ms).
   */
  touched(goalIds: Iterable<string>, spans: ReadonlyMap<string, { min: number; max: number }>): Promise<Goal[]> {
    const keys = [...spans.keys()];
    return this.rows(
      `SELECT ${GOAL_ROW.sql} FROM goals g
       WHERE g.id = ANY($1::uuid[]) OR EXISTS (
         SELECT 1 FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS s(key, min_at, max_at)
         WHERE s.key = g.metric_key AND s.max_at >= g.starts_at AND s.min_at < g.ends_at)`,
      [[...goalIds], keys, keys.map((k) => new Date(spans.get(k)!.min).toISOString()), keys.map((k) => new Date(spans.get(k)!.max).toISOString())],
    );
  }

  /** A page of goals in creation order. */
  async page(first: number | null | undefined, after: string | null | undefined): Promise<Connection<Goal>> {
    const page = pageOf(first, after);
    const db = await this.scope.db();
    const params = new SqlParams();
    const k = keysetPage('g', page, params);
    const rows = await this.rows(`SELECT ${GOAL_ROW.sql}, ${k.micros} FROM goals g WHERE ${k.after} ${k.orderLimit}`, params.values);
    return connectionOf(rows, page, async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM goals`);
      return row.n;
    });
  }

  /** Creates a goal. */
  async create(input: CreateGoalInput): Promise<Goal> {
    const fields = await this.validate({
      ...input,
      metricKey: input.metricKey ?? null,
      roiModelId: input.roiModelId ?? null,
      description: input.description ?? null,
    });
    const db = await this.scope.db();
    const [goal] = await this.rows(
      `INSERT INTO goals AS g (organization_id, name, description, metric_key, roi_model_id, target, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${GOAL_ROW.sql}`,
      [db.tenantId, fields.name, fields.description, fields.metricKey, fields.roiModelId, fields.target, fields.startsAt, fields.endsAt],
    );
    this.changed(goal.id, false);
    return goal;
  }

  /** Changes the fields given; the result must be a valid goal as a whole. */
  async update(id: string, input: UpdateGoalInput): Promise<Goal> {
    const goal = await this.find(id);
    if (!goal) throw new NotFoundError('Goal', id);
    // Naming a metric or a model switches what the goal tracks.
    const retarget = input.metricKey != null || input.roiModelId != null;
    const fields = await this.validate({
      name: input.name ?? goal.name,
      description: input.description === undefined ? goal.description : input.description,
      metricKey: retarget ? (input.metricKey ?? null) : goal.metricKey,
      roiModelId: retarget ? (input.roiModelId ?? null) : goal.roiModelId,
      target: input.target ?? goal.target,
      startsAt: input.startsAt ?? goal.startsAt,
      endsAt: input.endsAt ?? goal.endsAt,
    }, retarget);
    const [updated] = await this.rows(
      `WITH g AS (
         UPDATE goals SET name = $2, description = $3, metric_key = $4, roi_model_id = $8, target = $5, starts_at = $6, ends_at = $7,
           updated_at = clock_timestamp()
         WHERE id = $1 RETURNING *
       ) SELECT ${GOAL_ROW.sql} FROM g`,
      [goal.id, fields.name, fields.description, fields.metricKey, fields.target, fields.startsAt, fields.endsAt, fields.roiModelId],
    );
    this.changed(goal.id, false);
    return updated;
  }

  /** Deletes a goal; NOT_FOUND when it is not the organization's. */
  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) throw new NotFoundError('Goal', id);
    const rows = (await (await this.scope.db()).query(`WITH d AS (DELETE FROM goals WHERE id = $1 RETURNING id) SELECT id FROM d`, [id])) as unknown[];
    if (!rows.length) throw new NotFoundError('Goal', id);
    this.changed(id.toLowerCase(), true);
    return true;
  }

  private async validate(f: GoalFields, checkMetric = true): Promise<GoalFields> {
    const name = requiredText(f.name, 'name', 200);
    const description = optionalText(f.description, 'description', 2000);
    check(Number.isFinite(f.target), 'target', 'target must be a finite number');
    check(f.endsAt.getTime() > f.startsAt.getTime(), 'endsAt', 'endsAt must be after startsAt');
    if (checkMetric) {
      check((f.metricKey === null) !== (f.roiModelId === null), 'metricKey', 'give either metricKey or roiModelId, not both');
      if (f.metricKey !== null) {
        const metrics = await resolveMetrics(await this.scope.db(), [f.metricKey]);
        check(metrics.has(f.metricKey), 'metricKey', `metricKey '${f.metricKey}' is not a metric of this organization`);
      } else {
        const model = await new RoiModelService(this.scope).find(f.roiModelId!);
        check(model !== null, 'roiModelId', `roiModelId '${f.roiModelId}' is not an ROI model of this organization`);
        f = { ...f, roiModelId: model.id };
      }
    }
    return { ...f, name, description };
  }

  /** Goal rows of a statement that selects GOAL_ROW's columns. */
  private async rows(sql: string, params: unknown[]): Promise<Goal[]> {
    return GOAL_ROW.hydrate(await (await this.scope.db()).query<Goal>(sql, params));
  }

  private changed(goalId: string, deleted: boolean): void {
    this.scope.publishAfterCommit(GOAL_CHANGED, { goalId, deleted } satisfies GoalChangedEvent);
  }
}
