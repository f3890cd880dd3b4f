import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { Interval } from '../metrics/interval.js';
import { InsightsService } from './insights.service.js';
import { DEFAULT_MAX_LAG } from './lagged-fit.js';
import { RelationshipInsight } from './insights.types.js';

@Resolver()
export class InsightsResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => RelationshipInsight, {
    description:
      'What each unit of a driver metric (e.g. qualified_conversations) is associated with in the target metric (e.g. leads or revenue), ' +
      'at the lag in 0..maxLag intervals that fits best, from this organization’s own history: least squares on the series of the window, ' +
      'with standard errors, 95% intervals, r² and n. An association in this organization’s data, not a proof of cause. ' +
      'At most 10 drivers, maxLag 0..12 and 2,000 intervals; too few intervals, collinear drivers or a driver that never varies are BAD_USER_INPUT.',
  })
  relationshipInsights(
    @Arg('target', { description: 'The metric to explain (built-in or the organization’s own).' }) target: string,
    @Arg('drivers', () => [String], { description: 'The metrics that may explain it, 1 to 10.' }) drivers: string[],
    @Arg('from', { description: 'Start of the window (inclusive).' }) from: Date,
    @Arg('to', { description: 'End of the window (exclusive).' }) to: Date,
    @Arg('interval', () => Interval, { nullable: true, defaultValue: Interval.WEEK, description: 'Bucket length of the series (null: WEEK).' })
    interval: Interval | null,
    @Arg('maxLag', () => Int, { nullable: true, defaultValue: DEFAULT_MAX_LAG, description: 'Largest lag to consider, in intervals (0 to 12; null: 4).' })
    maxLag: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<RelationshipInsight> {
    return new InsightsService(tenantOf(ctx)).relationshipInsight({
      target,
      drivers,
      from,
      to,
      interval: interval ?? Interval.WEEK,
      maxLag: maxLag ?? DEFAULT_MAX_LAG,
    });
  }
}
