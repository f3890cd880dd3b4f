import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check } from '../../platform/errors.js';
import { isBuiltInKey } from '../metrics/built-in-metrics.js';
import type { Interval } from '../metrics/interval.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { metricSeriesSet } from '../metrics/series-set.js';
import { windowContext } from '../metrics/series.js';
import { RoiModelService } from '../roi/roi-model.service.js';
import { fitLagged, MAX_DRIVERS, MAX_INSIGHT_BUCKETS, MAX_LAG } from './lagged-fit.js';
import { LagSearch, type RelationshipInsight } from './insights.types.js';
import { suggestParameters } from './suggested-parameters.js';

/** Arguments of relationshipInsights. */
export interface InsightArgs {
  target: string;
  drivers: string[];
  from: Date;
  to: Date;
  interval: Interval;
  maxLag: number;
}

function checkArgs(args: InsightArgs): void {
  check(args.to.getTime() > args.from.getTime(), 'to', 'to must be after from');
  check(args.drivers.length > 0, 'drivers', 'name at least one driver metric');
  check(args.drivers.length <= MAX_DRIVERS, 'drivers', `at most ${MAX_DRIVERS} drivers`);
  check(Number.isInteger(args.maxLag) && args.maxLag >= 0 && args.maxLag <= MAX_LAG, 'maxLag', `maxLag must be 0 to ${MAX_LAG} intervals`);
  const seen = new Set<string>();
  args.drivers.forEach((d, i) => {
    check(d !== args.target, `drivers[${i}]`, `driver '${d}' is the target itself`);
    check(!seen.has(d), `drivers[${i}]`, `driver '${d}' is named twice`);
    seen.add(d);
  });
}

/** relationshipInsights: series from the metric engine, a lagged least-squares fit in memory, suggested parameters. */
export class InsightsService {
  constructor(private readonly scope: TenantScope) {}

  /** What each driver is associated with in the target, at its chosen lag, over the window. */
  async relationshipInsight(args: InsightArgs): Promise<RelationshipInsight> {
    checkArgs(args);
    const db = await this.scope.db();
    const keys = [args.target, ...args.drivers];
    const [metrics, context, targetUnit] = await Promise.all([
      resolveMetrics(db, keys),
      windowContext(db, { from: args.from, to: args.to, interval: args.interval, communityId: null, communityValid: false }),
      isBuiltInKey(args.target)
        ? Promise.resolve(null)
        : db.query<{ unit: string | null }>(`SELECT unit FROM metric_definitions WHERE key = $1`, [args.target]).then((r) => r[0]?.unit ?? null),
    ]);
    check(metrics.has(args.target), 'target', `target '${args.target}' is not a metric of this organization`);
    args.drivers.forEach((d, i) => check(metrics.has(d), `drivers[${i}]`, `driver '${d}' is not a metric of this organization`));
    if (context.buckets! > MAX_INSIGHT_BUCKETS) {
      throw new BadInputError(
        `the window spans ${context.buckets} intervals at ${args.interval}; at most ${MAX_INSIGHT_BUCKETS} are allowed: shorten the window or use a longer interval`,
        { field: 'interval', max: MAX_INSIGHT_BUCKETS },
      );
    }
    const series = await metricSeriesSet(db, {
      metrics,
      from: args.from,
      to: args.to,
      interval: args.interval,
      timezone: context.timezone,
    });
    const fit = fitLagged({
      target: { key: args.target, values: series.values.get(args.target)! },
      drivers: args.drivers.map((key) => ({ key, values: series.values.get(key)! })),
      maxLag: args.maxLag,
    });
    const model = await new RoiModelService(this.scope).findDefault();
    return {
      target: args.target,
      interval: args.interval,
      from: args.from,
      to: args.to,
      maxLag: args.maxLag,
      n: fit.n,
      r2: fit.r2,
      intercept: fit.intercept,
      degreesOfFreedom: fit.degreesOfFreedom,
      residualStandardError: fit.residualStandardError,
      intervalLevel: fit.intervalLevel,
      lagSearch: LagSearch[fit.search],
      drivers: fit.drivers,
      suggestedParameters: model ? suggestParameters({ key: args.target, unit: targetUnit }, model, fit.drivers) : [],
    };
  }
}
