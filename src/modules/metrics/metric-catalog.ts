import type { TenantDb } from '../../db/tenant.js';
import { BUILT_IN_BY_KEY } from './built-in-metrics.js';
import type { MetricAggregation } from './metric-aggregation.js';
import type { ResolvedMetric } from './metric-engine.js';

/** What a metric key looks like: the formula language's identifiers. */
export const METRIC_KEY_PATTERN = /^[a-z_][a-z0-9_]*$/;
/** Longest metric key (PostgreSQL's identifier length, so keys stay usable as column names). */
export const MAX_METRIC_KEY_LENGTH = 63;

/** A tenant's own metric as `customMetricsSql` reads it. */
export interface CustomMetricRow {
  id: string;
  key: string;
  aggregation: MetricAggregation;
}

/** SQL selecting id, key and aggregation of the tenant's own metrics whose key is in the text[] `keys`. */
export function customMetricsSql(keys: string): string {
  return `SELECT id, key, aggregation FROM metric_definitions WHERE key = ANY(${keys})`;
}

/**
 * Metric keys split for resolving: the built-in ones resolved already, and the keys that may be
 * the tenant's own (well-formed, not built-in) to look up with `customMetricsSql`.
 */
export function splitMetricKeys(keys: Iterable<string>): { resolved: Map<string, ResolvedMetric>; custom: string[] } {
  const resolved = new Map<string, ResolvedMetric>();
  const custom: string[] = [];
  for (const key of new Set(keys)) {
    const builtIn = BUILT_IN_BY_KEY.get(key);
    if (builtIn) resolved.set(key, { key, aggregation: builtIn.aggregation, builtIn: true, id: null });
    else if (METRIC_KEY_PATTERN.test(key) && key.length <= MAX_METRIC_KEY_LENGTH) custom.push(key);
  }
  return { resolved, custom };
}

/** Adds the tenant's own metrics read by `customMetricsSql` to `resolved`, and returns it. */
export function withCustomMetrics(resolved: Map<string, ResolvedMetric>, rows: readonly CustomMetricRow[]): Map<string, ResolvedMetric> {
  for (const r of rows) resolved.set(r.key, { key: r.key, aggregation: r.aggregation, builtIn: false, id: r.id });
  return resolved;
}

/**
 * Resolves metric keys, built-in or the tenant's own, with one statement for the tenant's own
 * ones (none when every key is built-in). Unknown keys are absent from the map.
 */
export async function resolveMetrics(db: TenantDb, keys: Iterable<string>): Promise<Map<string, ResolvedMetric>> {
  const { resolved, custom } = splitMetricKeys(keys);
  if (!custom.length) return resolved;
  return withCustomMetrics(resolved, await db.query<CustomMetricRow>(customMetricsSql('$1::text[]'), [custom]));
}
