import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@ObjectType({
  description: 'A target for a metric, or for an ROI model’s roi, over a period; its progress is computed from the data.',
})
@Entity('goals')
export class Goal {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId?: string;

  @Field(() => ID)
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'A built-in metric or one of the organization’s own (null for an ROI goal).' })
  @Column('text', { name: 'metric_key', nullable: true })
  metricKey!: string | null;

  @Field(() => ID, { nullable: true, description: 'The ROI model whose roi over the period is the goal’s progress (null for a metric goal).' })
  @Column('uuid', { name: 'roi_model_id', nullable: true })
  roiModelId!: string | null;

  @Field(() => Float)
  @Column('float8')
  target!: number;

  @Field()
  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Field({ description: 'The period is half-open: startsAt <= t < endsAt.' })
  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'created_at', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;
}

/** The columns of a Goal as the entity names them, for raw SQL over alias `g`. */
export const GOAL_COLUMNS = `g.id, g.name, g.description, g.metric_key AS "metricKey", g.roi_model_id AS "roiModelId", g.target, g.starts_at AS "startsAt",
  g.ends_at AS "endsAt", g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;
