import { Field, Float, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';
import type { GoalProgressValue } from './goal-progress.js';

@ObjectType({
  description: 'A target for a metric, or for an ROI model’s roi, over a period; its progress is computed from the data.',
})
export class Goal {
  @Field(() => ID, { description: 'The goal’s id.' })
  id!: string;

  @Field({ description: 'The goal’s name.' })
  name!: string;

  @Field(() => String, { description: 'Free text about the goal.', nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'A built-in metric or one of the organization’s own (null for an ROI goal).' })
  metricKey!: string | null;

  @Field(() => ID, { nullable: true, description: 'The ROI model whose roi over the period is the goal’s progress (null for a metric goal).' })
  roiModelId!: string | null;

  @Field(() => Float, { description: 'The value the metric (or roi) should reach over the period.' })
  target!: number;

  @Field({ description: 'Start of the goal’s period (included).' })
  startsAt!: Date;

  @Field({ description: 'The period is half-open: startsAt <= t < endsAt.' })
  endsAt!: Date;

  @Field({ description: 'When the goal was made.' })
  createdAt!: Date;

  @Field({ description: 'When the goal last changed.' })
  updatedAt!: Date;
}

/** `GoalConnection` and `GoalEdge`. */
export const GoalConnection = ConnectionType(Goal, 'Goal');

@ObjectType({ description: 'How far a goal is: its metric aggregated from startsAt to now (or endsAt, once past).' })
export class GoalProgress implements GoalProgressValue {
  @Field(() => ID, { description: 'The goal this progress is of.' })
  goalId!: string;

  @Field(() => Float, { nullable: true, description: 'The metric over the elapsed period; null when an AVG/MIN/MAX/LAST metric has no data yet.' })
  current!: number | null;

  @Field(() => Float, { description: 'The goal’s target.' })
  target!: number;

  @Field(() => Float, { nullable: true, description: 'current / target; null when the target is 0 or current is null.' })
  ratio!: number | null;

  @Field(() => Float, { description: 'Share of the period elapsed, 0 to 1.' })
  elapsed!: number;

  @Field({
    description: 'ratio >= elapsed (a linear pace to the target); with a target of 0, current >= 0; a missing value counts as 0.',
  })
  onTrack!: boolean;
}
