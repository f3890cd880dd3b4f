import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/context.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { aggregateMetricWindows, type MetricWindow } from '../metrics/metric-engine.js';
import { zeroWhenEmpty } from '../metrics/metric-aggregation.js';
import { RoiService } from '../roi/roi.service.js';
import type { Goal } from './goal.types.js';
import { measuredUntil, progressOf, type GoalProgressValue } from './goal-progress.js';

/**
 * The progress of many goals: for metric goals two statements however many goals are asked (one
 * resolving their metric keys, one aggregating each goal's metric over its own elapsed period with
 * the shared engine); ROI goals' progress is their model's roi over the period, all ROI goals'
 * metrics aggregated by one more statement (RoiService.roiOver).
 */
export function goalProgressLoader(scope: TenantScope): DataLoader<Goal, GoalProgressValue, string> {
  return new DataLoader<Goal, GoalProgressValue, string>(
    async (goals) => {
      const now = new Date();
      const db = await scope.db();
      const metricGoals = goals.filter((g): g is Goal & { metricKey: string } => g.metricKey !== null);
      const metrics = await resolveMetrics(db, metricGoals.map((g) => g.metricKey));
      const windows: MetricWindow[] = [];
      for (const g of metricGoals) {
        const until = measuredUntil(g, now);
        if (metrics.has(g.metricKey) && until > g.startsAt) windows.push({ id: g.id, from: g.startsAt, to: until, keys: [g.metricKey] });
      }
      const roiWindows = goals.flatMap((g) => {
        const until = measuredUntil(g, now);
        return g.roiModelId && until > g.startsAt ? [{ id: g.id, modelId: g.roiModelId, from: g.startsAt, to: until }] : [];
      });
      const roiByGoal = await new RoiService(scope).roiOver(roiWindows);
      const rows = await aggregateMetricWindows(db, {
        metrics,
        windows,
        interval: null,
        timezone: 'UTC',
        communityId: null,
        byCommunity: false,
      });
      const byGoal = new Map(rows.map((r) => [r.windowId, r.value]));
      return goals.map((g) => {
        if (g.roiModelId) return progressOf(g, roiByGoal.get(g.id) ?? null, now);
        const metric = metrics.get(g.metricKey!);
        const empty = metric && zeroWhenEmpty(metric.aggregation) ? 0 : null;
        return progressOf(g, byGoal.get(g.id) ?? empty, now);
      });
    },
    { cacheKeyFn: (g) => g.id },
  );
}
