import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { RelationshipStage } from './relationship-stage.js';

/** One move of a relationship in the funnel; its creation is the first, from null. */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'One move of a relationship in the funnel. The first is its creation, with fromStage null.', simpleResolvers: true })
@Entity('relationship_stage_changes')
export class RelationshipStageChange {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId?: string;

  @Field(() => ID)
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'relationship_id' })
  relationshipId!: string;

  @Field(() => RelationshipStage, { nullable: true, description: 'Null for the stage the relationship was created in.' })
  @Column('text', { name: 'from_stage', nullable: true })
  fromStage!: RelationshipStage | null;

  @Field(() => RelationshipStage)
  @Column('text', { name: 'to_stage' })
  toStage!: RelationshipStage;

  @Field()
  @Column('timestamptz', { name: 'changed_at', default: () => 'clock_timestamp()' })
  changedAt!: Date;
}
