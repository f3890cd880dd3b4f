import type { TenantDb } from '../../db/tenant.js';
import type { Interval } from '../metrics/interval.js';
import { zeroWhenEmpty } from '../metrics/metric-aggregation.js';
import { metricQuerySql, type AggregateRow, type AggregateScope, type MetricQuery, type ResolvedMetric } from '../metrics/metric-engine.js';
import { SqlParams } from '../../platform/sql/sql-params.js';

/** What an ROI report is computed from: every metric's value over the window, per bucket and per community. */
export interface RoiInputs {
  total: Map<string, number | null>;
  buckets: Array<{ start: Date; values: Map<string, number | null> }>;
  communities: Array<{ communityId: string | null; values: Map<string, number | null> }>;
}

export interface RoiInputQuery {
  metrics: ReadonlyMap<string, ResolvedMetric>;
  from: Date;
  to: Date;
  interval: Interval | null;
  timezone: string;
  communityId: string | null;
}

/** Values of every metric in a scope, a metric without rows counting 0 (SUM, COUNT) or null. */
export function scopeValues(metrics: ReadonlyMap<string, ResolvedMetric>, rows: AggregateRow[]): Map<string, number | null> {
  const values = new Map<string, number | null>();
  for (const metric of metrics.values()) values.set(metric.key, zeroWhenEmpty(metric.aggregation) ? 0 : null);
  for (const r of rows) values.set(r.key, r.value);
  return values;
}

/** Each metric's value in a scope without rows: 0 (SUM, COUNT) or null. Shared: never mutated. */
function emptyValues(metrics: ReadonlyMap<string, ResolvedMetric>): Map<string, number | null> {
  return scopeValues(metrics, []);
}

/** One aggregated value as the report's statement returns it: [window id, scope, key, bucket start in epoch ms, community id, value]. */
type CompactRow = [string, AggregateScope, string, number | null, string | null, number | null];

/** One window's values by scope: its total, each bucket (by start time) and each community. */
interface WindowValues {
  total: Map<string, number | null>;
  buckets: Map<number, Map<string, number | null>>;
  communities: Map<string | null, Map<string, number | null>>;
}

/** The values map of `key` in `scopes`, made from `empty` on first use. */
function valuesOf<K>(scopes: Map<K, Map<string, number | null>>, key: K, empty: ReadonlyMap<string, number | null>): Map<string, number | null> {
  let values = scopes.get(key);
  if (!values) scopes.set(key, (values = new Map(empty)));
  return values;
}

/**
 * Aggregates the windows' inputs in one statement (`metricQuerySql`) whose answer is one JSON
 * text of compact rows, and puts each value in its window's scope in one pass. JSON.parse of one
 * text costs a fraction of pg's parsing of thousands of rows into objects (timestamps included).
 */
async function aggregateValues(db: TenantDb, query: MetricQuery, empty: ReadonlyMap<string, number | null>): Promise<Map<string, WindowValues>> {
  const params = new SqlParams();
  const sql = metricQuerySql(db, query, params);
  const [{ rows }] = await db.query<{ rows: string }>(
    `SELECT coalesce(json_agg(json_build_array(a.window_id, a.scope, a.key, date_part('epoch', a.bucket) * 1000, a.community_id, a.value)), '[]')::text AS rows
       FROM (${sql}) a`,
    params.values,
  );
  const windows = new Map<string, WindowValues>();
  for (const [windowId, scope, key, bucket, communityId, value] of JSON.parse(rows) as CompactRow[]) {
    let w = windows.get(windowId);
    if (!w) windows.set(windowId, (w = { total: new Map(empty), buckets: new Map(), communities: new Map() }));
    if (scope === 'total') w.total.set(key, value);
    else if (scope === 'bucket') valuesOf(w.buckets, bucket!, empty).set(key, value);
    else valuesOf(w.communities, communityId, empty).set(key, value);
  }
  return windows;
}

/** The inputs of one window of a family, its buckets' values read on demand. */
export interface RoiWindowInputs {
  to: Date;
  total: Map<string, number | null>;
  communities: Array<{ communityId: string | null; values: Map<string, number | null> }>;
  /** The values of the bucket starting at `start` over this window's points. */
  bucket(start: Date): Map<string, number | null>;
}

/** Windows that share `from`, interval and community, and differ only in `to`. */
export interface RoiFamilyQuery extends Omit<RoiInputQuery, 'to'> {
  tos: readonly Date[];
  /** The bucket starts of the longest window (`windowContext` reads them); empty without an interval. */
  starts: readonly Date[];
}

/** A family's inputs: the bucket starts of its longest window (each window's are those before its `to`), and each window's values. */
export interface RoiFamilyInputs {
  starts: readonly Date[];
  windows: RoiWindowInputs[];
}

/**
 * Aggregates the inputs of windows that differ only in `to` in SQL, in one statement: each
 * window's total, buckets and communities (GROUPING SETS; one part per source table).
 */
export async function aggregateRoiFamily(db: TenantDb, q: RoiFamilyQuery): Promise<RoiFamilyInputs> {
  const keys = [...q.metrics.keys()];
  const empty = emptyValues(q.metrics);
  const byWindow = await aggregateValues(
    db,
    {
      metrics: q.metrics,
      windows: q.tos.map((to, i) => ({ id: String(i), from: q.from, to, keys })),
      interval: q.interval,
      timezone: q.timezone,
      communityId: q.communityId,
      byCommunity: true,
      groupingSets: true,
    },
    empty,
  );
  const windows = q.tos.map((to, i): RoiWindowInputs => {
    const own = byWindow.get(String(i));
    return {
      to,
      total: own?.total ?? new Map(empty),
      communities: [...(own?.communities ?? [])].map(([communityId, values]) => ({ communityId, values })),
      bucket: (start) => own?.buckets.get(start.getTime()) ?? empty,
    };
  });
  return { starts: q.starts, windows };
}

/** Aggregates the inputs of a report in SQL: the whole window, each bucket and each community in one statement. */
export async function aggregateRoiInputs(db: TenantDb, q: RoiInputQuery & { starts: readonly Date[] }): Promise<RoiInputs> {
  const { to, ...rest } = q;
  const { starts, windows } = await aggregateRoiFamily(db, { ...rest, tos: [to] });
  const [w] = windows;
  return { total: w.total, communities: w.communities, buckets: starts.map((start) => ({ start, values: w.bucket(start) })) };
}
