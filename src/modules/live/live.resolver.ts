import { Arg, Authorized, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import type { RequestContext } from '../../platform/context.js';
import { liveCaller } from '../../platform/live/live-context.js';
import { GoalProgress } from '../goals/goal-progress.type.js';
import type { GoalProgressValue } from '../goals/goal-progress.js';
import { Interval } from '../metrics/interval.js';
import { RoiReport } from '../roi/roi.types.js';
import { GoalProgressService } from './goal-progress.feed.js';
import { MetricUpdate } from './metric-update.type.js';
import { MetricUpdatesService, type MetricUpdateFilter } from './metric-updates.service.js';
import { RoiUpdatesService, type RoiUpdateArgs } from './roi-updates.service.js';

type Data<A> = SubscribeResolverData<unknown, A, RequestContext>;

/** The live side of the API: every subscription is scoped to the caller's organization. */
@Resolver()
export class LiveResolver {
  @Authorized(ApiKeyScope.READ)
  @Subscription(() => MetricUpdate, {
    description:
      'Metric points as they are committed: of one metric (its key; built-in ones included) and/or one community, or all of the ' +
      'organization’s own recorded points. An unknown key or community is BAD_USER_INPUT.',
    subscribe: ({ args, context }: Data<MetricUpdateFilter>) => new MetricUpdatesService(liveCaller(context)).subscribe(args),
  })
  metricUpdated(
    @Root() update: MetricUpdate,
    @Arg('metricKey', () => String, { nullable: true }) _metricKey?: string | null,
    @Arg('communityId', () => ID, { nullable: true }) _communityId?: string | null,
  ): MetricUpdate {
    return update;
  }

  @Authorized(ApiKeyScope.READ)
  @Subscription(() => GoalProgress, {
    description:
      'A goal’s progress: at once, then after each change to the goal or to its metric’s data inside its period (at most every ' +
      '250 ms). Without goalId, every goal whose progress may have moved. An unknown goal is NOT_FOUND; a deleted one completes.',
    subscribe: ({ args, context }: Data<{ goalId?: string | null }>) => new GoalProgressService(liveCaller(context)).subscribe(args.goalId),
  })
  goalProgressUpdated(@Root() progress: GoalProgressValue, @Arg('goalId', () => ID, { nullable: true }) _goalId?: string | null): GoalProgressValue {
    return progress;
  }

  @Authorized(ApiKeyScope.READ)
  @Subscription(() => RoiReport, {
    description:
      'The ROI report of a model (the default one without modelId) over a window: at once, then after each write that can change it, ' +
      'recomputed at most every 250 ms and shared by every subscriber of the same model and window. Without `to`, up to now.',
    subscribe: ({ args, context }: Data<RoiUpdateArgs>) => new RoiUpdatesService(liveCaller(context)).subscribe(args),
  })
  roiUpdated(
    @Root() report: RoiReport,
    @Arg('from') _from: Date,
    @Arg('modelId', () => ID, { nullable: true }) _modelId?: string | null,
    @Arg('to', () => Date, { nullable: true }) _to?: Date | null,
    @Arg('interval', () => Interval, { nullable: true }) _interval?: Interval | null,
    @Arg('communityId', () => ID, { nullable: true }) _communityId?: string | null,
  ): RoiReport {
    return report;
  }
}
