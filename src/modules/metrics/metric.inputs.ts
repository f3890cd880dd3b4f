import { Field, Float, ID, InputType } from 'type-graphql';
import { MetricAggregation } from './metric-aggregation.js';

@InputType({ description: 'A metric of the organization’s own, fed by recordMetrics.' })
export class DefineMetricInput {
  @Field({ description: 'Matches [a-z_][a-z0-9_]*, at most 63 characters, unique in the organization, not a built-in key.' })
  key!: string;

  @Field({ description: 'A name for people, such as ’Ad spend’.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text, such as USD, hours or followers.' })
  unit?: string | null;

  @Field(() => MetricAggregation, { description: 'How the metric’s points combine over a window or bucket.' })
  aggregation!: MetricAggregation;

  @Field(() => String, { description: 'What the metric measures, for people.', nullable: true })
  description?: string | null;
}

@InputType({ description: 'One value of a metric at a time.' })
export class MetricPointInput {
  @Field({ description: 'A metric defined with defineMetric (built-in metrics are derived, not recorded).' })
  metricKey!: string;

  @Field(() => Float, { description: 'The value; finite, at most 1e15 in absolute value.' })
  value!: number;

  @Field({ description: 'From 1970 to one day from now.' })
  at!: Date;

  @Field(() => ID, { nullable: true, description: 'One of the organization’s communities.' })
  communityId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'At most 200 characters. A point whose key the organization already recorded (in this batch or before) is skipped, so a retried batch counts once.',
  })
  idempotencyKey?: string | null;
}
