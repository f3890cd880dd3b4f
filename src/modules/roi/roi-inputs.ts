import type { TenantDb } from '../../db/tenant.js';
import type { Interval } from '../metrics/interval.js';
import { zeroWhenEmpty } from '../metrics/metric-aggregation.js';
import { aggregateMetrics, type AggregateRow, type ResolvedMetric } from '../metrics/metric-engine.js';
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

/**
 * Aggregates the inputs of a report in SQL: the whole window, each bucket and each community in
 * one statement, grouped over all metrics at once (GROUPING SETS; one part per source table).
 */
export async function aggregateRoiInputs(db: TenantDb, q: RoiInputQuery): Promise<RoiInputs> {
  const [rows, starts] = await Promise.all([
    aggregateMetrics(db, {
      metrics: q.metrics,
      keys: [...q.metrics.keys()],
      from: q.from,
      to: q.to,
      interval: q.interval,
      timezone: q.timezone,
      communityId: q.communityId,
      byCommunity: true,
      groupingSets: true,
    }),
    q.interval
      ? (db.query(bucketStartsSql(q.interval, '$1::timestamptz', '$2::timestamptz', '$3::text'), [
          q.from.toISOString(),
          q.to.toISOString(),
          q.timezone,
        ]) as Promise<Array<{ start: Date }>>)
      : Promise.resolve([]),
  ]);
  const bucketRows = groupBy(rows.filter((r) => r.scope === 'bucket'), (r) => r.bucket!.getTime());
  const communityRows = groupBy(rows.filter((r) => r.scope === 'community'), (r) => r.communityId);
  return {
    total: scopeValues(q.metrics, rows.filter((r) => r.scope === 'total')),
    buckets: starts.map(({ start }) => ({ start, values: scopeValues(q.metrics, bucketRows.get(start.getTime()) ?? []) })),
    communities: [...communityRows].map(([communityId, rows]) => ({ communityId, values: scopeValues(q.metrics, rows) })),
  };
}
