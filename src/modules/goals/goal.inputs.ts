import { Field, Float, ID, InputType } from 'type-graphql';

@InputType()
export class CreateGoalInput {
  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'A built-in metric or one of the organization’s own. Give this or roiModelId.' })
  metricKey?: string | null;

  @Field(() => ID, { nullable: true, description: 'An ROI model: the goal tracks its roi over the period. Give this or metricKey.' })
  roiModelId?: string | null;

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

  @Field(() => String, { nullable: true, description: 'Makes the goal track this metric (and no ROI model).' })
  metricKey?: string | null;

  @Field(() => ID, { nullable: true, description: 'Makes the goal track this ROI model’s roi (and no metric).' })
  roiModelId?: string | null;

  @Field(() => Float, { nullable: true })
  target?: number | null;

  @Field(() => Date, { nullable: true })
  startsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}
