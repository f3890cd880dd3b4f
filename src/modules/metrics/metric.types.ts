import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { MetricAggregation } from './metric-aggregation.js';

@ObjectType({
  description: 'A metric: one of the organization’s own, fed by recordMetrics, or a built-in one derived from relationship data.',
})
export class MetricDefinition {
  @Field(() => ID, { description: 'Built-in metrics have the id `builtin:<key>`.' })
  id!: string;

  @Field({ description: 'Unique in the organization; what points, goals and formulas refer to. Matches [a-z_][a-z0-9_]*.' })
  key!: string;

  @Field({ description: 'A name for people.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text, such as USD, hours or followers.' })
  unit!: string | null;

  @Field(() => MetricAggregation, { description: 'How the metric’s points combine over a window or bucket.' })
  aggregation!: MetricAggregation;

  @Field(() => String, { description: 'What the metric measures, for people.', nullable: true })
  description!: string | null;

  @Field({ description: 'True for the metrics derived from relationship data; they cannot be recorded.' })
  builtIn: boolean = false;

  @Field(() => Date, { nullable: true, description: 'Null for built-in metrics.' })
  createdAt!: Date | null;
}

@ObjectType({ description: 'What recordMetrics did with a batch.' })
export class RecordMetricsResult {
  @Field(() => Int, { description: 'Points written.' })
  accepted!: number;

  @Field(() => Int, { description: 'Points skipped because their idempotency key was already recorded.' })
  duplicates!: number;
}

@ObjectType({ description: 'One interval of a series.' })
export class MetricBucket {
  @Field({ description: 'Start of the interval, aligned to the organization’s time zone.' })
  start!: Date;

  @Field(() => Float, { nullable: true, description: 'The metric aggregated over the bucket: 0 when empty for SUM and COUNT, null for the others.' })
  value!: number | null;

  @Field(() => Int, { description: 'Points (or rows, for built-in metrics) the value is made of.' })
  count!: number;
}

@ObjectType({
  description:
    'A metric point as it is committed. For the organization’s own metrics, one recorded point; for a built-in metric, ' +
    'what one change of relationship data added to it (value: its contribution at that moment).',
})
export class MetricUpdate {
  @Field({ description: 'The metric that moved.' })
  metricKey!: string;

  @Field(() => ID, { nullable: true, description: 'The community the point belongs to, if any.' })
  communityId!: string | null;

  @Field({ description: 'The time of the point.' })
  at!: Date;

  @Field(() => Float, { description: 'The value of the point recorded.' })
  value!: number;

  @Field({ description: 'When the write that made the point committed.' })
  committedAt!: Date;
}
