import type { TenantDb } from '../../db/tenant.js';
import type { Interval } from './interval.js';
import { zeroWhenEmpty } from './metric-aggregation.js';
import { metricQuerySql, type ResolvedMetric } from './metric-engine.js';
import { bucketStartsSql } from './series.js';
import { SqlParams } from '../../platform/sql/sql-params.js';

/** Several metrics' series over the same buckets. */
export interface SeriesSet {
  starts: Date[];
  /** Per metric key, one value per bucket (0 for an empty SUM or COUNT bucket, null otherwise). */
  values: Map<string, Array<number | null>>;
}

/**
 * The series of several metrics (built-in and recorded alike) over every bucket of the window,
 * empty ones included, aligned to `timezone`, in one statement: the engine's grouped rows for
 * all keys, left-joined to the bucket starts × keys.
 */
export async function metricSeriesSet(
  db: TenantDb,
  q: { metrics: ReadonlyMap<string, ResolvedMetric>; from: Date; to: Date; interval: Interval; timezone: string },
): Promise<SeriesSet> {
  const keys = [...q.metrics.keys()];
  const params = new SqlParams();
  const aggregate = metricQuerySql(
    db,
    {
      metrics: q.metrics,
      windows: [{ id: 'series', from: q.from, to: q.to, keys }],
      interval: q.interval,
      timezone: q.timezone,
      communityId: null,
      byCommunity: false,
    },
    params,
  );
  const starts = bucketStartsSql(q.interval, params.add(q.from.toISOString(), 'timestamptz'), params.add(q.to.toISOString(), 'timestamptz'), params.add(q.timezone, 'text'));
  const rows = (await db.query(
    `WITH agg AS (${aggregate}), buckets AS (${starts})
     SELECT b.start, k.key, a.value
     FROM buckets b CROSS JOIN unnest(${params.add(keys, 'text[]')}) AS k(key) LEFT JOIN agg a ON a.bucket = b.start AND a.key = k.key
     ORDER BY b.start, k.key`,
    params.values,
  )) as Array<{ start: Date; key: string; value: number | null }>;
  const set: SeriesSet = { starts: [], values: new Map(keys.map((k) => [k, []])) };
  for (const row of rows) {
    const last = set.starts[set.starts.length - 1];
    if (!last || last.getTime() !== row.start.getTime()) set.starts.push(row.start);
    const empty = zeroWhenEmpty(q.metrics.get(row.key)!.aggregation) ? 0 : null;
    set.values.get(row.key)!.push(row.value ?? empty);
  }
  return set;
}
