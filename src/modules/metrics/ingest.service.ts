import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { preparedStatement } from '../../db/prepared-statement.js';
import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import { METRIC_RECORDED, METRICS_WRITTEN, type MetricPointEvent, type MetricRecordedEvent } from './metric.events.js';
import { isBuiltInKey } from './built-in-metrics.js';
import { METRIC_KEY_PATTERN } from './metric-catalog.js';
import { pointsOfBatch } from './metric-batch.js';
import type { MetricPointInput } from './metric.inputs.js';
import type { RecordMetricsResult } from './metric.types.js';
import { plainArrayLiteral, textArrayLiteral } from './pg-array.js';

/** Most points one recordMetrics call may carry. */
export const MAX_POINTS_PER_BATCH = 10_000;
/** Longest idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Points may be at most this far in the future (clock skew, time zones done wrong). */
export const MAX_FUTURE_MS = 24 * 3600 * 1000;

/** The points of a batch as column arrays, ready for one `unnest` insert. */
export interface Columns {
  metricIds: string[];
  communityIds: Array<string | null>;
  ats: string[];
  values: number[];
  keys: Array<string | null>;
  /** The point each row came from. */
  points: MetricPointInput[];
}

/**
 * One set-based statement: rows whose idempotency key the tenant already has are skipped by the
 * partial unique index. Returns how many were written, and their keys only when some were skipped.
 */
export const INSERT_POINTS = `WITH ins AS (
    INSERT INTO metric_points (organization_id, metric_id, community_id, at, value, idempotency_key)
    SELECT $1::uuid, t.metric_id, t.community_id, t.at, t.value, t.idempotency_key
    FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::float8[], $6::text[]) AS t(metric_id, community_id, at, value, idempotency_key)
    ON CONFLICT (organization_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING idempotency_key
  )
  SELECT count(*)::int AS accepted,
    CASE WHEN count(*) < $7 THEN coalesce(array_agg(idempotency_key) FILTER (WHERE idempotency_key IS NOT NULL), '{}') END AS keys
  FROM ins`;

/** INSERT_POINTS as recordMetrics runs it: prepared (the bench's bare client runs the text). */
const INSERT_POINTS_PREPARED = preparedStatement('metrics.insert_points', INSERT_POINTS);

/** A batch's metric ids by key and its known communities. */
const LOOK_UP_BATCH = preparedStatement(
  'metrics.look_up_batch',
  `SELECT 'metric' AS kind, key AS name, id::text FROM metric_definitions WHERE key = ANY($1::text[])
   UNION ALL
   SELECT 'community', NULL, id::text FROM communities WHERE id = ANY($2::uuid[])`,
);

/** The parameters of INSERT_POINTS after the tenant's ($1) for a batch's columns. */
export function columnParams(c: Pick<Columns, 'metricIds' | 'communityIds' | 'ats' | 'values' | 'keys'>): unknown[] {
  return [
    plainArrayLiteral(c.metricIds),
    plainArrayLiteral(c.communityIds),
    plainArrayLiteral(c.ats),
    plainArrayLiteral(c.values),
    textArrayLiteral(c.keys),
    c.metricIds.length,
  ];
}

/** What is wrong with a point, or null: the first bad field in input order. */
/** Largest magnitude of a metric value: sums of any number of points stay far from float8's overflow. */
export const MAX_METRIC_VALUE = 1e15;

function pointProblem(
  p: MetricPointInput,
  metrics: Map<string, string>,
  communities: Set<string>,
  latest: number,
): { field: string; message: string } | null {
  if (!metrics.has(p.metricKey)) {
    return {
      field: 'metricKey',
      message: isBuiltInKey(p.metricKey)
        ? `'${p.metricKey}' is a built-in metric: it is derived from relationship data and cannot be recorded`
        : `'${p.metricKey}' is not a defined metric (define it with defineMetric)`,
    };
  }
  if (typeof p.value !== 'number' || !Number.isFinite(p.value) || Math.abs(p.value) > MAX_METRIC_VALUE) {
    return { field: 'value', message: 'must be a finite number from -1e15 to 1e15' };
  }
  const time = p.at instanceof Date ? p.at.getTime() : NaN;
  if (!(time >= 0 && time <= latest)) return { field: 'at', message: 'must be from 1970-01-01 to one day from now' };
  if (p.communityId !== null && p.communityId !== undefined && !communities.has(p.communityId.toLowerCase())) {
    return { field: 'communityId', message: `'${p.communityId}' is not a community of this organization` };
  }
  const key = p.idempotencyKey;
  if (key !== null && key !== undefined) {
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return { field: 'idempotencyKey', message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` };
    }
    if (key.includes('\u0000')) return { field: 'idempotencyKey', message: 'must not contain the character U+0000' };
  }
  return null;
}

/** Writes metric points: the whole batch is validated first, then written in one statement. */
export class MetricIngestService {
  constructor(private readonly scope: TenantScope) {}

  /** recordMetrics: exactly one of `points` and `batch` (the same points as one JSON value). */
  recordEither(points: MetricPointInput[] | null | undefined, batch: unknown): Promise<RecordMetricsResult> {
    const given = (points != null ? 1 : 0) + (batch != null ? 1 : 0);
    check(given === 1, 'points', 'give exactly one of points and batch');
    return this.record(points ?? pointsOfBatch(batch));
  }

  /** Records a batch all or nothing; a point whose idempotency key was seen already is counted as a duplicate. */
  async record(points: MetricPointInput[]): Promise<RecordMetricsResult> {
    check(points.length <= MAX_POINTS_PER_BATCH, 'points', `points may hold at most ${MAX_POINTS_PER_BATCH} points per call, got ${points.length}`);
    if (!points.length) return { accepted: 0, duplicates: 0 };
    const db = await this.scope.db();
    const { metrics, communities } = await this.lookUp(points);
    const columns = this.validate(points, metrics, communities);
    const [row] = (await db.query(INSERT_POINTS_PREPARED, [db.tenantId, ...columnParams(columns)])) as Array<{ accepted: number; keys: string[] | null }>;
    const events = writtenPoints(columns, row.keys);
    if (events.length) {
      await emitWebhookEvent(db, WebhookEvent.METRICS_RECORDED, { points: events });
      await METRICS_WRITTEN.run(db, { points: events });
      this.scope.publishAfterCommit(METRIC_RECORDED, { points: events } satisfies MetricRecordedEvent);
    }
    return { accepted: row.accepted, duplicates: points.length - row.accepted };
  }

  /** The batch's metric ids by key and its known communities, in one statement. */
  private async lookUp(points: MetricPointInput[]): Promise<{ metrics: Map<string, string>; communities: Set<string> }> {
    const keys = new Set<string>();
    const communityIds = new Set<string>();
    for (const p of points) {
      keys.add(p.metricKey);
      if (p.communityId && isUuid(p.communityId)) communityIds.add(p.communityId.toLowerCase());
    }
    const rows = (await (await this.scope.db()).query(
      LOOK_UP_BATCH,
      // A key that is not a well-formed one cannot be defined (nor, holding U+0000, even be sent to SQL).
      [[...keys].filter((k) => METRIC_KEY_PATTERN.test(k)), [...communityIds]],
    )) as Array<{ kind: 'metric' | 'community'; name: string | null; id: string }>;
    const metrics = new Map<string, string>();
    const communities = new Set<string>();
    for (const r of rows) {
      if (r.kind === 'metric') metrics.set(r.name!, r.id);
      else communities.add(r.id);
    }
    return { metrics, communities };
  }

  /** Checks every point in order, throwing on the first bad one; dedupes idempotency keys within the batch. */
  private validate(points: MetricPointInput[], metrics: Map<string, string>, communities: Set<string>): Columns {
    const columns: Columns = { metricIds: [], communityIds: [], ats: [], values: [], keys: [], points: [] };
    const seen = new Set<string>();
    const latest = Date.now() + MAX_FUTURE_MS;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      const problem = pointProblem(p, metrics, communities, latest);
      if (problem) {
        throw new BadInputError(`points[${i}].${problem.field} ${problem.message}`, { field: `points[${i}].${problem.field}`, index: i });
      }
      const key = p.idempotencyKey ?? null;
      if (key !== null) {
        if (seen.has(key)) continue; // the first point with a key wins; later ones are duplicates
        seen.add(key);
      }
      columns.metricIds.push(metrics.get(p.metricKey)!);
      columns.communityIds.push(p.communityId ? p.communityId.toLowerCase() : null);
      columns.ats.push(p.at.toISOString());
      columns.values.push(p.value);
      columns.keys.push(key);
      columns.points.push(p);
    }
    return columns;
  }

}

/** The points a write added (not the skipped duplicates), as events carry them. */
function writtenPoints(columns: Columns, writtenKeys: string[] | null): MetricPointEvent[] {
  const written = writtenKeys ? new Set(writtenKeys) : null;
  const events: MetricPointEvent[] = [];
  for (let i = 0; i < columns.points.length; i++) {
    const key = columns.keys[i];
    if (written && key !== null && !written.has(key)) continue;
    const p = columns.points[i];
    events.push({ metricKey: p.metricKey, communityId: columns.communityIds[i], at: columns.ats[i], value: p.value });
  }
  return events;
}
