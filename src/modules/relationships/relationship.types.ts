import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';
import { RelationshipStage } from './relationship-stage.js';

/**
 * A person the organization has a relationship with, met in one of its communities.
 * Read and written through SQL (relationship.table.ts).
 */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'A person the organization has a relationship with, in one of its communities.', simpleResolvers: true })
export class Relationship {
  @Field(() => ID, { description: 'The relationship’s id.' })
  id!: string;

  @Field(() => ID, { description: 'The id of the community where the relationship was made.' })
  communityId!: string;

  @Field({ description: 'The person’s name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The person’s handle on the community’s platform.' })
  handle!: string | null;

  @Field(() => String, { description: 'The company the person works for.', nullable: true })
  company!: string | null;

  @Field(() => RelationshipStage, { description: 'Where the person stands in the funnel now.' })
  stage!: RelationshipStage;

  @Field({ description: 'Whether the person is a targeted one (fits the audience the organization means to reach).' })
  qualified!: boolean;

  @Field({ description: 'When the relationship began: given on creation (connectedAt), else its creation. Built-in metrics count it then.' })
  connectedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The caller’s own id for it (say, a CRM id), unique in the organization; null when none was given.' })
  externalId!: string | null;

  /** The member who created it; null when an API key did. */
  ownerId!: string | null;

  @Field({ description: 'When the relationship was recorded.' })
  createdAt!: Date;

  @Field({ description: 'When the relationship last changed.' })
  updatedAt!: Date;

  /** Keyset micros, present on rows read for a page (keyset.ts keysetPage). */
  _micros?: string;
}

/** `RelationshipConnection` and `RelationshipEdge`. */
export const RelationshipConnection = ConnectionType(Relationship, 'Relationship');

/** One move of a relationship in the funnel; its creation is the first, from null. */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'One move of a relationship in the funnel. The first is its creation, with fromStage null.', simpleResolvers: true })
export class RelationshipStageChange {
  @Field(() => ID, { description: 'The change’s id.' })
  id!: string;
  relationshipId!: string;

  @Field(() => RelationshipStage, { nullable: true, description: 'Null for the stage the relationship was created in.' })
  fromStage!: RelationshipStage | null;

  @Field(() => RelationshipStage, { description: 'The stage reached.' })
  toStage!: RelationshipStage;

  @Field({ description: 'When the stage changed.' })
  changedAt!: Date;
}
