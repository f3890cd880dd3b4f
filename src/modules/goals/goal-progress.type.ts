import { Field, Float, ID, ObjectType } from 'type-graphql';
import type { GoalProgressValue } from './goal-progress.js';

@ObjectType({ description: 'How far a goal is: its metric aggregated from startsAt to now (or endsAt, once past).' })
export class GoalProgress implements GoalProgressValue {
  @Field(() => ID)
  goalId!: string;

  @Field(() => Float, { nullable: true, description: 'The metric over the elapsed period; null when an AVG/MIN/MAX/LAST metric has no data yet.' })
  current!: number | null;

  @Field(() => Float)
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
