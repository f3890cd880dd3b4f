import { Field, Float, InputType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';
import { Goal } from './goal.entity.js';

@InputType()
export class CreateGoalInput {
  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field({ description: 'A built-in metric or one of the organization’s own.' })
  metricKey!: string;

  @Field(() => Float)
  target!: number;

  @Field()
  startsAt!: Date;

  @Field({ description: 'After startsAt.' })
  endsAt!: Date;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' })
  description?: string | null;
}

@InputType({ description: 'Fields left out stay as they are; description: null clears it.' })
export class UpdateGoalInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  metricKey?: string | null;

  @Field(() => Float, { nullable: true })
  target?: number | null;

  @Field(() => Date, { nullable: true })
  startsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

export const GoalConnection = ConnectionType(Goal, 'Goal');
