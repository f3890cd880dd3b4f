import { Field, Float, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'A metric point as it is committed. For the organization’s own metrics, one recorded point; for a built-in metric, ' +
    'what one change of relationship data added to it (value: its contribution at that moment).',
})
export class MetricUpdate {
  @Field()
  metricKey!: string;

  @Field(() => ID, { nullable: true, description: 'The community the point belongs to, if any.' })
  communityId!: string | null;

  @Field({ description: 'The time of the point.' })
  at!: Date;

  @Field(() => Float)
  value!: number;

  @Field({ description: 'When the write that made the point committed.' })
  committedAt!: Date;
}
