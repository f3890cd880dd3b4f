import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { liveCaller, type SubscribeData } from '../../platform/live/live-context.js';
import { GoalProgressService } from './goal-progress.feed.js';
import { GoalProgress } from './goal.types.js';
import type { GoalProgressValue } from './goal-progress.js';
import { Goal } from './goal.types.js';
import { CreateGoalInput, UpdateGoalInput } from './goal.inputs.js';
import { GoalConnection } from './goal.types.js';
import { goalProgressLoader } from './goal.loaders.js';
import type { Connection } from '../../platform/sql/connection.js';
import { GoalService } from './goal.service.js';

@Resolver(() => Goal)
export class GoalResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => GoalConnection, { description: 'The organization’s goals in creation order.' })
  goals(
    @Arg('first', () => Int, { description: 'How many items, 0 to 100 (default 20).', nullable: true }) first: number | null,
    @Arg('after', () => String, { description: 'A cursor from a previous page (its pageInfo.endCursor): items after it.', nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Goal>> {
    return new GoalService(tenantOf(ctx)).page(first, after);
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => Goal, { nullable: true, description: 'A goal; null when there is no such goal in the organization.' })
  goal(@Arg('id', () => ID, { description: 'The goal’s id.' }) id: string, @Ctx() ctx: RequestContext): Promise<Goal | null> {
    return new GoalService(tenantOf(ctx)).find(id);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Goal, { description: 'Sets a goal for a metric or an ROI model over a period. Needs WRITE.' })
  createGoal(@Arg('input', { description: 'The new goal.' }) input: CreateGoalInput, @Ctx() ctx: RequestContext): Promise<Goal> {
    return new GoalService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Goal, { description: 'Changes a goal; fields left out stay as they are. Needs WRITE.' })
  updateGoal(
    @Arg('id', () => ID, { description: 'The goal to change.' }) id: string,
    @Arg('input', { description: 'The changes; fields left out stay as they are.' }) input: UpdateGoalInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Goal> {
    return new GoalService(tenantOf(ctx)).update(id, input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Boolean, { description: 'Deletes a goal; NOT_FOUND when there is no such goal in the organization.' })
  deleteGoal(@Arg('id', () => ID, { description: 'The goal to delete.' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return new GoalService(tenantOf(ctx)).delete(id);
  }

  @FieldResolver(() => GoalProgress, { description: 'The metric over the period so far against the target, batched across goals.' })
  progress(@Root() goal: Goal, @Ctx() ctx: RequestContext): Promise<GoalProgressValue> {
    return tenantOf(ctx).loader(goalProgressLoader).load(goal);
  }

  @Authorized(ApiKeyScope.READ)
  @Subscription(() => GoalProgress, {
    description:
      'A goal’s progress: at once, then after each change to the goal or to its metric’s data inside its period (at most every ' +
      '250 ms). Without goalId, every goal whose progress may have moved. An unknown goal is NOT_FOUND; a deleted one completes.',
    subscribe: ({ args, context }: SubscribeData<{ goalId?: string | null }>) => new GoalProgressService(liveCaller(context)).subscribe(args.goalId),
  })
  goalProgressUpdated(
    @Root() progress: GoalProgressValue,
    @Arg('goalId', () => ID, { description: 'Only this goal; every goal of the organization when left out.', nullable: true }) _goalId?: string | null,
  ): GoalProgressValue {
    return progress;
  }
}
