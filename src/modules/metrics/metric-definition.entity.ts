import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { MetricAggregation } from './metric-aggregation.js';

@ObjectType({
  description: 'A metric: one of the organization’s own, fed by recordMetrics, or a built-in one derived from relationship data.',
})
@Entity('metric_definitions')
export class MetricDefinition {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId?: string;

  @Field(() => ID, { description: 'Built-in metrics have the id `builtin:<key>`.' })
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field({ description: 'Unique in the organization; what points, goals and formulas refer to. Matches [a-z_][a-z0-9_]*.' })
  @Column('text')
  key!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text, such as USD, hours or followers.' })
  @Column('text', { nullable: true })
  unit!: string | null;

  @Field(() => MetricAggregation)
  @Column('text')
  aggregation!: MetricAggregation;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field({ description: 'True for the metrics derived from relationship data; they cannot be recorded.' })
  builtIn: boolean = false;

  @Field(() => Date, { nullable: true, description: 'Null for built-in metrics.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date | null;
}
