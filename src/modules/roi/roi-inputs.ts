import type { TenantDb } from '../../db/tenant.js';
import type { Interval } from '../metrics/interval.js';
import { zeroWhenEmpty } from '../metrics/metric-aggregation.js';
import { aggregateMetricWindows, type AggregateRow, type ResolvedMetric } from '../metrics/metric-engine.js';
import { bucketStartsSql } from '../metrics/series.js';

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

function groupBy<K>(rows: AggregateRow[], key: (r: AggregateRow) => K): Map<K, AggregateRow[]> {
  const groups = new Map<K, AggregateRow[]>();
  for (const r of rows) {
    const k = key(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
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
}

/** A family's inputs: the bucket starts of its longest window (each window's are those before its `to`), and each window's values. */
export interface RoiFamilyInputs {
  starts: Date[];
  windows: RoiWindowInputs[];
}

/**
 * Aggregates the inputs of windows that differ only in `to` in SQL, in one statement: each
 * window's total, buckets and communities (GROUPING SETS; one part per source table), and the
 * bucket starts once, for the longest window.
 */
export async function aggregateRoiFamily(db: TenantDb, q: RoiFamilyQuery): Promise<RoiFamilyInputs> {
  const last = new Date(Math.max(...q.tos.map((to) => to.getTime())));
  const keys = [...q.metrics.keys()];
  const [rows, starts] = await Promise.all([
    aggregateMetricWindows(db, {
      metrics: q.metrics,
      windows: q.tos.map((to, i) => ({ id: String(i), from: q.from, to, keys })),
      interval: q.interval,
      timezone: q.timezone,
      communityId: q.communityId,
      byCommunity: true,
      groupingSets: true,
    }),
    q.interval
      ? (db.query(bucketStartsSql(q.interval, '$1::timestamptz', '$2::timestamptz', '$3::text'), [
          q.from.toISOString(),
          last.toISOString(),
          q.timezone,
        ]) as Promise<Array<{ start: Date }>>)
      : Promise.resolve([]),
  ]);
  const byWindow = groupBy(rows, (r) => r.windowId);
  const windows = q.tos.map((to, i): RoiWindowInputs => {
    const own = byWindow.get(String(i)) ?? [];
    const bucketRows = groupBy(own.filter((r) => r.scope === 'bucket'), (r) => r.bucket!.getTime());
    const communityRows = groupBy(own.filter((r) => r.scope === 'community'), (r) => r.communityId);
    return {
      to,
      total: scopeValues(q.metrics, own.filter((r) => r.scope === 'total')),
      communities: [...communityRows].map(([communityId, rows]) => ({ communityId, values: scopeValues(q.metrics, rows) })),
      bucket: (start) => scopeValues(q.metrics, bucketRows.get(start.getTime()) ?? []),
    };
  });
  return { starts: starts.map((s) => s.start), windows };
}

/** Aggregates the inputs of a report in SQL: the whole window, each bucket and each community in one statement. */
export async function aggregateRoiInputs(db: TenantDb, q: RoiInputQuery): Promise<RoiInputs> {
  const { to, ...rest } = q;
  const { starts, windows } = await aggregateRoiFamily(db, { ...rest, tos: [to] });
  const [w] = windows;
  return { total: w.total, communities: w.communities, buckets: starts.map((start) => ({ start, values: w.bucket(start) })) };
}
