import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { BUILT_IN_METRICS, builtInDefinition, isBuiltInKey } from './built-in-metrics.js';
import { MAX_BUCKETS, type Interval } from './interval.js';
import { MAX_METRIC_KEY_LENGTH, METRIC_KEY_PATTERN, resolveMetrics } from './metric-catalog.js';
import { MetricDefinition } from './metric.types.js';
import { DEFINITION_ROW } from './metric.table.js';
import type { DefineMetricInput } from './metric.inputs.js';
import type { MetricBucket } from './metric.types.js';
import { metricSeriesOf, windowContext } from './series.js';
import { optionalText, requiredText } from '../../platform/input.js';

/** Arguments of metricSeries. */
export interface SeriesArgs {
  metricKey: string;
  from: Date;
  to: Date;
  interval: Interval;
  communityId?: string | null;
}

/** Metric definitions and series. */
export class MetricService {
  constructor(private readonly scope: TenantScope) {}

  /** The built-in metrics, then the organization's own by key. */
  async list(): Promise<MetricDefinition[]> {
    const rows = DEFINITION_ROW.hydrate(await (await this.scope.db()).query<MetricDefinition>(`SELECT ${DEFINITION_ROW.sql} FROM metric_definitions d ORDER BY d.key`));
    return [...BUILT_IN_METRICS.map(builtInDefinition), ...rows.map((r) => ({ ...r, builtIn: false }))];
  }

  /** Defines a metric of the organization's own. */
  async define(input: DefineMetricInput): Promise<MetricDefinition> {
    const key = input.key;
    check(
      METRIC_KEY_PATTERN.test(key) && key.length <= MAX_METRIC_KEY_LENGTH,
      'key',
      `key must match [a-z_][a-z0-9_]* and be at most ${MAX_METRIC_KEY_LENGTH} characters`,
    );
    check(!isBuiltInKey(key), 'key', `key '${key}' is a built-in metric`);
    const name = requiredText(input.name, 'name', 200);
    const unit = optionalText(input.unit, 'unit', 50);
    const description = optionalText(input.description, 'description', 2000);
    const db = await this.scope.db();
    const rows = DEFINITION_ROW.hydrate(
      await db.query<MetricDefinition>(
        `INSERT INTO metric_definitions AS d (organization_id, key, name, unit, aggregation, description)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organization_id, key) DO NOTHING
         RETURNING ${DEFINITION_ROW.sql}`,
        [db.tenantId, key, name, unit, input.aggregation, description],
      ),
    );
    if (!rows.length) throw new BadInputError(`key '${key}' is already a metric of this organization`, { field: 'key' });
    return { ...rows[0], builtIn: false };
  }

  /**
   * One bucket per interval of the window, in the organization's time zone. An unknown metric,
   * or a community that is not the organization's, is BAD_USER_INPUT (never an empty series).
   */
  async series(args: SeriesArgs): Promise<MetricBucket[]> {
    check(args.to.getTime() > args.from.getTime(), 'to', 'to must be after from');
    const db = await this.scope.db();
    const communityId = args.communityId ?? null;
    const metrics = await resolveMetrics(db, [args.metricKey]);
    const context = await windowContext(db, {
      from: args.from,
      to: args.to,
      interval: args.interval,
      communityId,
      communityValid: communityId !== null && isUuid(communityId),
    });
    const metric = metrics.get(args.metricKey);
    check(metric !== undefined, 'metricKey', `metricKey '${args.metricKey}' is not a metric of this organization`);
    check(context.communityKnown, 'communityId', `communityId '${communityId}' is not a community of this organization`);
    if (context.buckets! > MAX_BUCKETS) {
      throw new BadInputError(`the window spans ${context.buckets} buckets at interval ${args.interval}; at most ${MAX_BUCKETS} are allowed`, {
        field: 'interval',
        max: MAX_BUCKETS,
      });
    }
    return metricSeriesOf(db, {
      metric,
      from: args.from,
      to: args.to,
      interval: args.interval,
      timezone: context.timezone,
      communityId: communityId?.toLowerCase() ?? null,
    });
  }
}
