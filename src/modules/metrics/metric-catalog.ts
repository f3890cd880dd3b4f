import type { TenantDb } from '../../db/tenant.js';
import { BUILT_IN_BY_KEY } from './built-in-metrics.js';
import type { MetricAggregation } from './metric-aggregation.js';
import type { ResolvedMetric } from './metric-engine.js';

/** What a metric key looks like: the formula language's identifiers. */
export const METRIC_KEY_PATTERN = /^[a-z_][a-z0-9_]*$/;
/** Longest metric key (PostgreSQL's identifier length, so keys stay usable as column names). */
export const MAX_METRIC_KEY_LENGTH = 63;

/**
 * Resolves metric keys, built-in or the tenant's own, with one statement for the tenant's own
 * ones (none when every key is built-in). Unknown keys are absent from the map.
 */
export async function resolveMetrics(db: TenantDb, keys: Iterable<string>): Promise<Map<string, ResolvedMetric>> {
  const resolved = new Map<string, ResolvedMetric>();
  const custom: string[] = [];
  for (const key of new Set(keys)) {
    const builtIn = BUILT_IN_BY_KEY.get(key);
    if (builtIn) resolved.set(key, { key, aggregation: builtIn.aggregation, builtIn: true, id: null });
    else if (METRIC_KEY_PATTERN.test(key) && key.length <= MAX_METRIC_KEY_LENGTH) custom.push(key);
  }
  if (custom.length) {
    const rows = (await db.query(`SELECT id, key, aggregation FROM metric_definitions WHERE key = ANY($1::text[])`, [custom])) as Array<{
      id: string;
      key: string;
      aggregation: MetricAggregation;
    }>;
    for (const r of rows) resolved.set(r.key, { key: r.key, aggregation: r.aggregation, builtIn: false, id: r.id });
  }
  return resolved;
}
