import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { aggregateMetricWindows, type MetricWindow } from '../metrics/metric-engine.js';
import { zeroWhenEmpty } from '../metrics/metric-aggregation.js';
import type { Goal } from './goal.entity.js';
import { measuredUntil, progressOf, type GoalProgressValue } from './goal-progress.js';

/**
 * The progress of many goals in two statements however many goals are asked: one resolving their
 * metric keys, one aggregating each goal's metric over its own elapsed period with the shared engine.
 */
export function goalProgressLoader(scope: TenantScope): DataLoader<Goal, GoalProgressValue, string> {
  return new DataLoader<Goal, GoalProgressValue, string>(
    async (goals) => {
      const now = new Date();
      const m = await scope.manager();
      const metrics = await resolveMetrics(m, goals.map((g) => g.metricKey));
      const windows: MetricWindow[] = [];
      for (const g of goals) {
        const until = measuredUntil(g, now);
        if (metrics.has(g.metricKey) && until > g.startsAt) windows.push({ id: g.id, from: g.startsAt, to: until, keys: [g.metricKey] });
      }
      const rows = await aggregateMetricWindows(m, {
        tenantId: scope.tenantId,
        metrics,
        windows,
        interval: null,
        timezone: 'UTC',
        communityId: null,
        byCommunity: false,
      });
      const byGoal = new Map(rows.map((r) => [r.windowId, r.value]));
      return goals.map((g) => {
        const metric = metrics.get(g.metricKey);
        const empty = metric && zeroWhenEmpty(metric.aggregation) ? 0 : null;
        return progressOf(g, byGoal.get(g.id) ?? empty, now);
      });
    },
    { cacheKeyFn: (g) => g.id },
  );
}
