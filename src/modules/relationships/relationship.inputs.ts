import { Field, ID, InputType } from 'type-graphql';
import { RelationshipStage } from './relationship-stage.js';

@InputType({ description: 'The community must not be archived.' })
export class CreateRelationshipInput {
  @Field(() => ID)
  communityId!: string;

  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 200 characters.' })
  handle?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 200 characters.' })
  company?: string | null;

  @Field(() => RelationshipStage, { nullable: true, description: 'Default CONNECTED; recorded as the first stage change.' })
  stage?: RelationshipStage | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  qualified?: boolean | null;
}

@InputType({ description: 'Fields left out stay as they are; null clears handle and company. A new stage is recorded as a stage change.' })
export class UpdateRelationshipInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  handle?: string | null;

  @Field(() => String, { nullable: true })
  company?: string | null;

  @Field(() => RelationshipStage, { nullable: true })
  stage?: RelationshipStage | null;

  @Field(() => Boolean, { nullable: true })
  qualified?: boolean | null;
}

@InputType({ description: 'The relationships of one community; every given condition must hold.' })
export class CommunityRelationshipFilter {
  @Field(() => RelationshipStage, { nullable: true })
  stage?: RelationshipStage | null;

  @Field(() => Boolean, { nullable: true })
  qualified?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name, handle or company.' })
  search?: string | null;
}

@InputType({ description: 'Every given condition must hold.' })
export class RelationshipFilter extends CommunityRelationshipFilter {
  @Field(() => ID, { nullable: true })
  communityId?: string | null;
}
