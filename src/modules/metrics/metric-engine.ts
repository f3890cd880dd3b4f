import type { TenantDb } from '../../db/tenant.js';
import { BUILT_IN_BY_KEY, SOURCE_TABLES, type BuiltInMetric, type BuiltInSource } from './built-in-metrics.js';
import { INTERVAL_UNIT, Interval } from './interval.js';
import { MetricAggregation } from './metric-aggregation.js';
import { SqlParams } from '../../platform/sql/sql-params.js';

/** A metric the engine can aggregate: a built-in one, or one of the tenant's own with its id. */
export interface ResolvedMetric {
  key: string;
  aggregation: MetricAggregation;
  builtIn: boolean;
  /** The metric_definitions id of a tenant's own metric; null for built-ins. */
  id: string | null;
}

/** One half-open window `from <= t < to` and the metric keys wanted over it. */
export interface MetricWindow {
  id: string;
  from: Date;
  to: Date;
  keys: readonly string[];
}

/** What to aggregate: metrics over windows, optionally per bucket and per community. */
export interface MetricQuery {
  /** Every key the windows name, resolved. */
  metrics: ReadonlyMap<string, ResolvedMetric>;
  windows: readonly MetricWindow[];
  /** Bucket length, or null for one value per window. */
  interval: Interval | null;
  /** IANA zone buckets are aligned to (unused without an interval). */
  timezone: string;
  /** Only this community's data; custom points without a community are then left out. */
  communityId: string | null;
  /** One row per community too (null community: points recorded without one). */
  byCommunity: boolean;
  /**
   * With an interval and/or byCommunity: aggregate the whole window, each bucket and each community
   * in the same statement (GROUP BY GROUPING SETS), each row saying which in `scope`.
   */
  groupingSets?: boolean;
}

/** Which grouping a row of a grouping-sets query belongs to. */
export type AggregateScope = 'total' | 'bucket' | 'community';

/** One aggregated value. Windows, buckets or communities without data (count 0) have no row. */
export interface AggregateRow {
  windowId: string;
  key: string;
  /** Bucket start, or null without an interval. */
  bucket: Date | null;
  communityId: string | null;
  value: number | null;
  count: number;
  /** With groupingSets: the grouping the row belongs to; otherwise null. */
  scope: AggregateScope | null;
}

/** The SQL aggregate of a tenant's own metric over points `p`. */
export function pointAggregateSql(aggregation: MetricAggregation): string {
  switch (aggregation) {
    case MetricAggregation.SUM:
      return 'sum(p.value)';
    case MetricAggregation.AVG:
      return 'avg(p.value)';
    case MetricAggregation.MIN:
      return 'min(p.value)';
    case MetricAggregation.MAX:
      return 'max(p.value)';
    case MetricAggregation.COUNT:
      return 'count(*)::float8';
    case MetricAggregation.LAST:
      return '(array_agg(p.value ORDER BY p.at DESC, p.id DESC))[1]';
  }
}

interface WindowSql {
  /** Extra FROM item (a join on the windows), or ''. */
  join: string;
  /** Condition on the time column, or 'TRUE'. */
  where: string;
  /** SQL of the window id of a row. */
  id: string;
  /** Whether rows must be grouped by window. */
  grouped: boolean;
}

/** Restricts `time` to the windows: plain bounds for one window, a join on their list for several. */
function windowSql(windows: readonly MetricWindow[], time: string, params: SqlParams): WindowSql {
  if (windows.length === 1) {
    const [w] = windows;
    const where = `${time} >= ${params.add(w.from.toISOString(), 'timestamptz')} AND ${time} < ${params.add(w.to.toISOString(), 'timestamptz')}`;
    return { join: '', where, id: params.add(w.id, 'text'), grouped: false };
  }
  const ids = params.add(windows.map((w) => w.id), 'text[]');
  const froms = params.add(windows.map((w) => w.from.toISOString()), 'timestamptz[]');
  const tos = params.add(windows.map((w) => w.to.toISOString()), 'timestamptz[]');
  return {
    join: `JOIN unnest(${ids}, ${froms}, ${tos}) AS w(id, t0, t1) ON ${time} >= w.t0 AND ${time} < w.t1`,
    where: 'TRUE',
    id: 'w.id',
    grouped: true,
  };
}

/**
 * What rows are grouped by for buckets of `interval` in zone `tz`, and the bucket's start from
 * it. Days, weeks and months group by the local date or truncated local time, and only each
 * group's start is converted back: `date_trunc(unit, t, tz)` looks the zone up for every row and
 * made the day grouping of a million points twice as slow. The start is the one `bucketStartsSql`
 * gives (local midnight at the zone's offset then), so a DST day is one 23- or 25-hour bucket.
 * Hours step in absolute time, so they stay `date_trunc` in the zone (local hours repeat in autumn).
 */
function bucketSql(interval: Interval, time: string, tz: string): { group: string; start: string } {
  if (interval === Interval.HOUR) {
    const hour = `date_trunc('hour', ${time}, ${tz})`;
    return { group: hour, start: hour };
  }
  const group = interval === Interval.DAY ? `(${time} AT TIME ZONE ${tz})::date` : `date_trunc('${INTERVAL_UNIT[interval]}', ${time} AT TIME ZONE ${tz})`;
  return { group, start: `(${group})::timestamp AT TIME ZONE ${tz}` };
}

interface Dimensions {
  bucket: string;
  community: string;
  /** GROUP BY items of the dimensions (a GROUPING SETS item with groupingSets). */
  groupBy: string[];
  where: string[];
  /** SQL of the row's scope column. */
  scope: string;
}

/** Bucket and community columns, their GROUP BY items and the community filter. */
function dimensions(q: MetricQuery, time: string, community: string, params: SqlParams): Dimensions {
  const d: Dimensions = { bucket: 'NULL::timestamptz', community: 'NULL::uuid', groupBy: [], where: [], scope: 'NULL::text' };
  const dims: Array<[AggregateScope, string]> = [];
  if (q.interval) {
    const { group, start } = bucketSql(q.interval, time, params.add(q.timezone, 'text'));
    d.bucket = start;
    dims.push(['bucket', group]);
  }
  if (q.byCommunity) {
    d.community = community;
    dims.push(['community', community]);
  }
  if (q.groupingSets && dims.length) {
    d.groupBy.push(`GROUPING SETS ((), ${dims.map(([, e]) => `(${e})`).join(', ')})`);
    d.scope = `CASE ${dims.map(([name, e]) => `WHEN GROUPING(${e}) = 0 THEN '${name}'`).join(' ')} ELSE 'total' END`;
  } else {
    d.groupBy.push(...dims.map(([, e]) => e));
    if (q.groupingSets) d.scope = `'total'`;
  }
  if (q.communityId) d.where.push(`${community} = ${params.add(q.communityId, 'uuid')}`);
  return d;
}

function groupBy(items: string[]): string {
  return items.length ? ` GROUP BY ${items.join(', ')}` : '';
}

/**
 * A query with the placeholder of the transaction's tenant: RLS applies as well; naming the tenant
 * lets the planner use the tenant-leading indexes.
 */
type TenantQuery = MetricQuery & { tenant: string };

/** The (window, custom metric) cells a query asks for. */
type Cell = { w: MetricWindow; metric: ResolvedMetric };

/**
 * Which points of `metric_points p` the cells cover: bounds and metric ids for one window; a join
 * on the (window, metric) cells when windows have their own keys (a goal each).
 */
function customCellsSql(q: TenantQuery, cells: Cell[], metrics: ResolvedMetric[], params: SqlParams): { join: string; where: string; windowId: string; group: string[] } {
  // Grouped by metric only when there are several, so a series hashes one key a point, as plain SQL would.
  const group: string[] = metrics.length > 1 ? ['p.metric_id'] : [];
  if (q.windows.length === 1) {
    const ws = windowSql(q.windows, 'p.at', params);
    const ids = metrics.length === 1 ? `p.metric_id = ${params.add(metrics[0].id, 'uuid')}` : `p.metric_id = ANY(${params.add(metrics.map((m) => m.id), 'uuid[]')})`;
    return { join: '', where: `${ws.where} AND ${ids}`, windowId: ws.id, group };
  }
  const ids = params.add(cells.map((c) => c.w.id), 'text[]');
  const mids = params.add(cells.map((c) => c.metric.id), 'uuid[]');
  const froms = params.add(cells.map((c) => c.w.from.toISOString()), 'timestamptz[]');
  const tos = params.add(cells.map((c) => c.w.to.toISOString()), 'timestamptz[]');
  return {
    join: ` JOIN unnest(${ids}, ${mids}, ${froms}, ${tos}) AS w(id, metric_id, t0, t1) ON p.metric_id = w.metric_id AND p.at >= w.t0 AND p.at < w.t1`,
    where: 'TRUE',
    windowId: 'w.id',
    group: [...group, 'w.id'],
  };
}

/** One grouped statement over the points of every custom metric the windows name. */
function customSql(q: TenantQuery, params: SqlParams): string | null {
  const cells: Cell[] = q.windows.flatMap((w) => w.keys.map((key) => ({ w, metric: q.metrics.get(key)! })).filter((c) => !c.metric.builtIn));
  if (!cells.length) return null;
  const metrics = [...new Map(cells.map((c) => [c.metric.key, c.metric])).values()];
  const { join, where, windowId, group } = customCellsSql(q, cells, metrics, params);
  const d = dimensions(q, 'p.at', 'p.community_id', params);
  const aggregations = new Set(metrics.map((m) => m.aggregation));
  const value =
    aggregations.size === 1
      ? pointAggregateSql(metrics[0].aggregation)
      : `CASE ${[...aggregations]
          .map((a) => `WHEN p.metric_id = ANY(${params.add(metrics.filter((m) => m.aggregation === a).map((m) => m.id), 'uuid[]')}) THEN ${pointAggregateSql(a)}`)
          .join(' ')} END`;
  const key =
    metrics.length === 1
      ? params.add(metrics[0].key, 'text')
      : `(${params.add(metrics.map((m) => m.key), 'text[]')})[array_position(${params.add(metrics.map((m) => m.id), 'uuid[]')}, p.metric_id)]`;
  return `SELECT ${windowId} AS window_id, ${key} AS key, ${d.bucket} AS bucket, ${d.community} AS community_id,
      ${value}::float8 AS value, count(*)::int AS count, ${d.scope} AS scope
    FROM metric_points p${join}
    WHERE p.organization_id = ${q.tenant} AND ${[where, ...d.where].join(' AND ')}${groupBy([...group, ...d.groupBy])}
    HAVING count(*) > 0`;
}

/** One grouped statement over a built-in source, every wanted key of it as columns, unpivoted to rows. */
function builtInSql(q: TenantQuery, source: BuiltInSource, metrics: BuiltInMetric[], params: SqlParams): string {
  const table = SOURCE_TABLES[source];
  const tenant = q.tenant;
  const bounds = () => ({
    minFrom: params.add(new Date(Math.min(...q.windows.map((w) => w.from.getTime()))).toISOString(), 'timestamptz'),
    maxTo: params.add(new Date(Math.max(...q.windows.map((w) => w.to.getTime()))).toISOString(), 'timestamptz'),
  });
  const from = table.from(tenant, q.byCommunity || q.communityId !== null, bounds);
  const ws = windowSql(q.windows, table.time, params);
  const d = dimensions(q, table.time, table.community, params);
  const columns = metrics.map((m, i) => `${m.value} AS v${i}, ${m.count} AS n${i}`).join(', ');
  const values = metrics.map((m, i) => `('${m.key}', g.v${i}, g.n${i})`).join(', ');
  const group = [...(ws.grouped ? ['w.id'] : []), ...d.groupBy];
  return `SELECT g.window_id, v.key, g.bucket, g.community_id, v.value::float8 AS value, v.count::int AS count, g.scope FROM (
      SELECT ${ws.id} AS window_id, ${d.bucket} AS bucket, ${d.community} AS community_id, ${d.scope} AS scope, ${columns}
      FROM ${from} ${ws.join}
      WHERE x.organization_id = ${tenant} AND ${[ws.where, ...d.where].join(' AND ')}${groupBy(group)}
    ) g CROSS JOIN LATERAL (VALUES ${values}) AS v(key, value, count)
    WHERE v.count > 0`;
}

/**
 * The SQL of a metric query, with its parameters added to `params`: one grouped statement for the
 * points of all custom metrics and one per built-in source needed, joined by UNION ALL. Rows have
 * the columns window_id, key, bucket, community_id, value, count.
 */
export function metricQuerySql(db: TenantDb, query: MetricQuery, params: SqlParams): string {
  const q: TenantQuery = { ...query, tenant: params.add(db.tenantId, 'uuid') };
  const parts: string[] = [];
  const custom = customSql(q, params);
  if (custom) parts.push(custom);
  const wanted = new Set(q.windows.flatMap((w) => w.keys));
  const bySource = new Map<BuiltInSource, BuiltInMetric[]>();
  for (const key of wanted) {
    const builtIn = BUILT_IN_BY_KEY.get(key);
    if (builtIn) bySource.set(builtIn.source, [...(bySource.get(builtIn.source) ?? []), builtIn]);
  }
  for (const [source, metrics] of bySource) parts.push(builtInSql(q, source, metrics, params));
  if (!parts.length) {
    // No metric at all (a formula of parameters only): no rows, but the tenant placeholder is still bound.
    return `SELECT NULL::text AS window_id, NULL::text AS key, NULL::timestamptz AS bucket, NULL::uuid AS community_id, NULL::float8 AS value, 0 AS count, NULL::text AS scope WHERE ${q.tenant} IS NULL`;
  }
  return parts.map((p) => `(${p})`).join('\nUNION ALL\n');
}

interface RawRow {
  window_id: string;
  key: string;
  bucket: Date | null;
  community_id: string | null;
  value: number | null;
  count: number;
  scope: AggregateScope | null;
}

/**
 * The shared aggregation engine of metricSeries, goals and ROI: aggregates every (window, key) in
 * one SQL statement. Rows of keys a window did not ask for (a built-in source computes all its
 * wanted keys for every window) are dropped.
 */
export async function aggregateMetricWindows(db: TenantDb, q: MetricQuery): Promise<AggregateRow[]> {
  for (const w of q.windows) {
    for (const key of w.keys) if (!q.metrics.has(key)) throw new Error(`metric '${key}' was not resolved`);
  }
  if (!q.windows.length) return [];
  const params = new SqlParams();
  const rows: RawRow[] = await db.query(metricQuerySql(db, q, params), params.values);
  const wanted = new Set(q.windows.flatMap((w) => w.keys.map((k) => `${w.id}\u0000${k}`)));
  return rows
    .filter((r) => wanted.has(`${r.window_id}\u0000${r.key}`))
    .map((r) => ({
      windowId: r.window_id,
      key: r.key,
      bucket: r.bucket,
      communityId: r.community_id,
      value: r.value,
      count: r.count,
      scope: r.scope,
    }));
}

/** Options of `aggregateMetrics`: many keys over one window. */
export interface AggregateOptions extends Omit<MetricQuery, 'windows'> {
  keys: readonly string[];
  from: Date;
  to: Date;
}

/** Aggregates `keys` over one window `from <= t < to`, per bucket and per community as asked. */
export async function aggregateMetrics(db: TenantDb, options: AggregateOptions): Promise<AggregateRow[]> {
  const { keys, from, to, ...rest } = options;
  return aggregateMetricWindows(db, { ...rest, windows: [{ id: 'window', from, to, keys }] });
}
