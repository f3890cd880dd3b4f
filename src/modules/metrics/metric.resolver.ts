import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { liveCaller, type SubscribeData } from '../../platform/live/live-context.js';
import { MetricIngestService } from './ingest.service.js';
import { MetricPointBatchScalar } from './metric-batch.js';
import { Interval } from './interval.js';
import { MetricDefinition } from './metric.types.js';
import { DefineMetricInput, MetricPointInput } from './metric.inputs.js';
import { MetricBucket, RecordMetricsResult } from './metric.types.js';
import { MetricService } from './metric.service.js';
import { MetricUpdate } from './metric.types.js';
import { MetricUpdatesService, type MetricUpdateFilter } from './metric-updates.feed.js';

@Resolver()
export class MetricResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => [MetricDefinition], { description: 'The built-in metrics (builtIn: true), then the organization’s own.' })
  metrics(@Ctx() ctx: RequestContext): Promise<MetricDefinition[]> {
    return new MetricService(tenantOf(ctx)).list();
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => [MetricBucket], {
    description:
      'A metric per interval over the half-open window from <= t < to, one bucket for every interval (empty ones included), aligned to the organization’s time zone; at most 10,000 buckets. An unknown metric or community is BAD_USER_INPUT.',
  })
  metricSeries(
    @Arg('metricKey', { description: 'A built-in metric or one of the organization’s own.' }) metricKey: string,
    @Arg('from', { description: 'Start of the window (included).' }) from: Date,
    @Arg('to', { description: 'End of the window (excluded).' }) to: Date,
    @Arg('interval', () => Interval, { description: 'The length of each bucket.' }) interval: Interval,
    @Arg('communityId', () => ID, { description: 'Only points and rows of this community.', nullable: true }) communityId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<MetricBucket[]> {
    return new MetricService(tenantOf(ctx)).series({ metricKey, from, to, interval, communityId });
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => MetricDefinition, { description: 'Defines a metric of the organization’s own.' })
  defineMetric(@Arg('input', { description: 'The new metric.' }) input: DefineMetricInput, @Ctx() ctx: RequestContext): Promise<MetricDefinition> {
    return new MetricService(tenantOf(ctx)).define(input);
  }

  @Authorized(ApiKeyScope.INGEST)
  @Mutation(() => RecordMetricsResult, {
    description:
      'Records up to 10,000 points, given as `points` or as one JSON `batch` (faster for large batches), all or nothing: one bad point rejects the batch with BAD_USER_INPUT naming it in extensions.index and extensions.field. Points whose idempotency key was already recorded are skipped and counted as duplicates.',
  })
  recordMetrics(
    @Arg('points', () => [MetricPointInput], { nullable: true, validate: false, description: 'The points; give this or batch.' }) points: MetricPointInput[] | null,
    @Arg('batch', () => MetricPointBatchScalar, { nullable: true, description: 'The points as one JSON list; give this or points.' }) batch: unknown,
    @Ctx() ctx: RequestContext,
  ): Promise<RecordMetricsResult> {
    return new MetricIngestService(tenantOf(ctx)).recordEither(points, batch);
  }

  @Authorized(ApiKeyScope.READ)
  @Subscription(() => MetricUpdate, {
    description:
      'Metric points as they are committed: of one metric (its key; built-in ones included) and/or one community, or all of the ' +
      'organization’s own recorded points. An unknown key or community is BAD_USER_INPUT.',
    subscribe: ({ args, context }: SubscribeData<MetricUpdateFilter>) => new MetricUpdatesService(liveCaller(context)).subscribe(args),
  })
  metricUpdated(
    @Root() update: MetricUpdate,
    @Arg('metricKey', () => String, { description: 'Only this metric; every metric when left out.', nullable: true }) _metricKey?: string | null,
    @Arg('communityId', () => ID, { description: 'Only points of this community.', nullable: true }) _communityId?: string | null,
  ): MetricUpdate {
    return update;
  }
}
