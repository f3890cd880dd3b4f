import type { TenantDb } from '../../db/tenant.js';
import { INTERVAL_UNIT, Interval, MAX_BUCKETS } from './interval.js';
import { zeroWhenEmpty } from './metric-aggregation.js';
import { customMetricsSql, splitMetricKeys, withCustomMetrics, type CustomMetricRow } from './metric-catalog.js';
import { metricQuerySql, type ResolvedMetric } from './metric-engine.js';
import { SqlParams } from '../../platform/sql/sql-params.js';

/** Where a window stands in the organization: its time zone, bucket count, and whether the community is its. */
export interface WindowContext {
  timezone: string;
  /** Buckets the window spans at the interval; null without one. */
  buckets: number | null;
  /** False when a community id was given that is not one of the organization's (or is malformed). */
  communityKnown: boolean;
  /** With `starts` and an interval: each bucket's start (`bucketStartsSql`); empty past MAX_BUCKETS (the caller refuses the window). */
  starts: Date[];
  /** With `metricKeys`: those keys resolved (`resolveMetrics`); unknown ones are absent. Otherwise empty. */
  metrics: Map<string, ResolvedMetric>;
}

/** What `windowContext` reads about a window. */
export interface WindowQuery {
  from: Date;
  to: Date;
  interval: Interval | null;
  communityId: string | null;
  communityValid: boolean;
  /** Read the bucket starts in the same statement (a report's series needs them). */
  starts?: boolean;
  /** Metric keys to resolve in the same statement. */
  metricKeys?: readonly string[];
  /**
   * Plan the rest of the transaction without parallel workers (SET LOCAL). A report's grouped
   * statement is a UNION ALL that the planner runs as a Parallel Append; on two cores shared with
   * other work, starting the workers cost more than they saved (docs/performance.md, roi).
   */
  serial?: boolean;
}

const BEFORE = `interval '1 microsecond'`;

/**
 * SQL of the number of buckets of `interval` that the window [from, to) touches in zone `tz`,
 * computed from the first and last bucket starts without generating the series.
 */
function bucketCountSql(interval: Interval, from: string, to: string, tz: string): string {
  const last = `(${to} - ${BEFORE})`;
  if (interval === Interval.HOUR) {
    return `floor(extract(epoch FROM date_trunc('hour', ${last}, ${tz}) - date_trunc('hour', ${from}, ${tz})) / 3600)::bigint + 1`;
  }
  const lf = `(${from} AT TIME ZONE ${tz})`;
  const lt = `(${last} AT TIME ZONE ${tz})`;
  if (interval === Interval.MONTH) {
    return `((extract(year FROM ${lt}) * 12 + extract(month FROM ${lt})) - (extract(year FROM ${lf}) * 12 + extract(month FROM ${lf})))::bigint + 1`;
  }
  const unit = INTERVAL_UNIT[interval];
  const days = `(date_trunc('${unit}', ${lt})::date - date_trunc('${unit}', ${lf})::date)`;
  return interval === Interval.WEEK ? `${days} / 7 + 1` : `${days} + 1`;
}

/**
 * SQL selecting `start`, the start of every bucket the window [from, to) touches, aligned to zone
 * `tz`. Hours step in absolute time (so a DST day has 23 or 25 of them); days, weeks and months
 * step in local calendar time and are converted back, so a DST day is one 23- or 25-hour bucket.
 */
export function bucketStartsSql(interval: Interval, from: string, to: string, tz: string): string {
  if (interval === Interval.HOUR) {
    return `SELECT g AS start FROM generate_series(date_trunc('hour', ${from}, ${tz}), ${to} - ${BEFORE}, interval '1 hour') AS g`;
  }
  const unit = INTERVAL_UNIT[interval];
  return `SELECT (g AT TIME ZONE ${tz}) AS start FROM generate_series(
      date_trunc('${unit}', ${from} AT TIME ZONE ${tz}), (${to} - ${BEFORE}) AT TIME ZONE ${tz}, interval '1 ${unit}') AS g`;
}

const NO_STARTS = 'NULL::float8[]';

/**
 * The organization's time zone, the window's bucket count and whether `communityId` is the tenant's,
 * and as asked the bucket starts and the metrics resolved, in one statement.
 */
export async function windowContext(db: TenantDb, w: WindowQuery): Promise<WindowContext> {
  const params = new SqlParams();
  const org = params.add(db.tenantId, 'uuid');
  const community = w.communityId && w.communityValid
    ? `EXISTS (SELECT 1 FROM communities c WHERE c.organization_id = o.id AND c.id = ${params.add(w.communityId, 'uuid')})`
    : `${w.communityId === null}`;
  let buckets = 'NULL::bigint';
  let starts = NO_STARTS;
  if (w.interval) {
    const from = params.add(w.from.toISOString(), 'timestamptz');
    const to = params.add(w.to.toISOString(), 'timestamptz');
    buckets = bucketCountSql(w.interval, from, to, 'o.timezone');
    // Past MAX_BUCKETS none are generated: the caller refuses the window.
    if (w.starts) starts = `CASE WHEN ${buckets} <= ${MAX_BUCKETS} THEN array(SELECT date_part('epoch', b.start) * 1000 FROM (${bucketStartsSql(w.interval, from, to, 'o.timezone')}) b ORDER BY b.start) END`;
  }
  const { resolved, custom } = splitMetricKeys(w.metricKeys ?? []);
  const metrics = custom.length ? `(SELECT json_agg(m) FROM (${customMetricsSql(params.add(custom, 'text[]'))}) m)` : 'NULL::json';
  const serial = w.serial ? `, set_config('max_parallel_workers_per_gather', '0', true)` : '';
  const [row] = (await db.query(
    `SELECT o.timezone, (${buckets})::float8 AS buckets, ${community} AS community_known, ${starts} AS starts, ${metrics} AS metrics${serial}
       FROM organizations o WHERE o.id = ${org}`,
    params.values,
  )) as Array<{ timezone: string; buckets: number | null; community_known: boolean; starts: number[] | null; metrics: CustomMetricRow[] | null }>;
  return {
    timezone: row.timezone,
    buckets: row.buckets,
    communityKnown: row.community_known,
    starts: (row.starts ?? []).map((ms) => new Date(ms)),
    metrics: withCustomMetrics(resolved, row.metrics ?? []),
  };
}

/** One bucket of a series. */
export interface SeriesPoint {
  start: Date;
  value: number | null;
  count: number;
}

/**
 * The series of one metric: every bucket of the window, empty ones included (value 0 for SUM and
 * COUNT, null otherwise), in one statement that left-joins the engine's rows to the bucket starts.
 */
export async function metricSeriesOf(
  db: TenantDb,
  q: { metric: ResolvedMetric; from: Date; to: Date; interval: Interval; timezone: string; communityId: string | null },
): Promise<SeriesPoint[]> {
  const params = new SqlParams();
  const aggregate = metricQuerySql(
    db,
    {
      metrics: new Map([[q.metric.key, q.metric]]),
      windows: [{ id: 'series', from: q.from, to: q.to, keys: [q.metric.key] }],
      interval: q.interval,
      timezone: q.timezone,
      communityId: q.communityId,
      byCommunity: false,
    },
    params,
  );
  const starts = bucketStartsSql(q.interval, params.add(q.from.toISOString(), 'timestamptz'), params.add(q.to.toISOString(), 'timestamptz'), params.add(q.timezone, 'text'));
  const rows = (await db.query(
    `WITH agg AS (${aggregate}), buckets AS (${starts})
     SELECT b.start, a.value, coalesce(a.count, 0)::int AS count FROM buckets b LEFT JOIN agg a ON a.bucket = b.start ORDER BY b.start`,
    params.values,
  )) as SeriesPoint[];
  const empty = zeroWhenEmpty(q.metric.aggregation) ? 0 : null;
  for (const row of rows) if (row.value === null) row.value = empty;
  return rows;
}
