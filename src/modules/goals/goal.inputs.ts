import { Field, Float, ID, InputType } from 'type-graphql';

@InputType({ description: 'A new goal: a target for a metric (or an ROI model’s roi) over a period.' })
export class CreateGoalInput {
  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'A built-in metric or one of the organization’s own. Give this or roiModelId.' })
  metricKey?: string | null;

  @Field(() => ID, { nullable: true, description: 'An ROI model: the goal tracks its roi over the period. Give this or metricKey.' })
  roiModelId?: string | null;

  @Field(() => Float, { description: 'The value the metric (or roi) should reach over the period.' })
  target!: number;

  @Field({ description: 'Start of the goal’s period (included).' })
  startsAt!: Date;

  @Field({ description: 'After startsAt.' })
  endsAt!: Date;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' })
  description?: string | null;
}

@InputType({ description: 'Fields left out stay as they are; description: null clears it.' })
export class UpdateGoalInput {
  @Field(() => String, { description: 'The goal’s name.', nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Makes the goal track this metric (and no ROI model).' })
  metricKey?: string | null;

  @Field(() => ID, { nullable: true, description: 'Makes the goal track this ROI model’s roi (and no metric).' })
  roiModelId?: string | null;

  @Field(() => Float, { description: 'The value to reach over the period.', nullable: true })
  target?: number | null;

  @Field(() => Date, { description: 'Start of the goal’s period (included).', nullable: true })
  startsAt?: Date | null;

  @Field(() => Date, { description: 'End of the goal’s period (excluded).', nullable: true })
  endsAt?: Date | null;

  @Field(() => String, { description: 'Free text about the goal.', nullable: true })
  description?: string | null;
}
