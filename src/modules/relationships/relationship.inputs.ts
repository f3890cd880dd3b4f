import { Field, ID, InputType } from 'type-graphql';
import { RelationshipStage } from './relationship-stage.js';

@InputType({ description: 'A stage a relationship reached, and when.' })
export class StageAtInput {
  @Field(() => RelationshipStage, { description: 'The stage it moved to.' })
  stage!: RelationshipStage;

  @Field({ description: 'When it moved there; not in the future (5 minutes of clock skew count as now).' })
  at!: Date;
}

@InputType({ description: 'The community must not be archived.' })
export class CreateRelationshipInput {
  @Field(() => ID, { description: 'The community where the relationship was made; one of the organization’s.' })
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

  @Field(() => Date, {
    nullable: true,
    description: 'When the relationship began (default now; not in the future, 5 minutes of clock skew count as now). Built-in metrics count it then.',
  })
  connectedAt?: Date | null;

  @Field(() => [StageAtInput], {
    nullable: true,
    description:
      'Its past stages, oldest first: each at or after connectedAt and the entry before it, each later in the funnel. ' +
      'It was CONNECTED at connectedAt unless the first entry is at connectedAt itself; the last entry is its stage (stage, when given, must agree).',
  })
  stageHistory?: StageAtInput[] | null;

  @Field(() => String, { nullable: true, description: 'The caller’s own id for it, 1 to 200 characters, unique in the organization (a duplicate: BAD_USER_INPUT).' })
  externalId?: string | null;
}

@InputType({ description: 'Another handle of the person of a relationship.' })
export class RelationshipIdentityInput {
  @Field({ description: 'The platform, such as "linkedin", "x" or "slack"; 1 to 100 characters, compared case-insensitively.' })
  platform!: string;

  @Field({ description: 'The handle on that platform; 1 to 200 characters, compared case-insensitively.' })
  handle!: string;
}

@InputType({ description: 'Fields left out stay as they are; null clears handle and company. A new stage is recorded as a stage change.' })
export class UpdateRelationshipInput {
  @Field(() => String, { description: 'The person’s name.', nullable: true })
  name?: string | null;

  @Field(() => String, { description: 'The person’s handle on the community’s platform.', nullable: true })
  handle?: string | null;

  @Field(() => String, { description: 'The company the person works for.', nullable: true })
  company?: string | null;

  @Field(() => RelationshipStage, { description: 'A new stage; the change is kept with its time.', nullable: true })
  stage?: RelationshipStage | null;

  @Field(() => Boolean, { description: 'Whether the person is a targeted one.', nullable: true })
  qualified?: boolean | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the stage change happened (default now): not in the future and not before its last stage change. Only with a stage.',
  })
  stageChangedAt?: Date | null;
}

@InputType({ description: 'The relationships of one community; every given condition must hold.' })
export class CommunityRelationshipFilter {
  @Field(() => RelationshipStage, { description: 'Only relationships at this stage.', nullable: true })
  stage?: RelationshipStage | null;

  @Field(() => Boolean, { description: 'Only qualified (true) or only unqualified (false) relationships.', nullable: true })
  qualified?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name, handle or company.' })
  search?: string | null;
}

@InputType({ description: 'Every given condition must hold.' })
export class RelationshipFilter extends CommunityRelationshipFilter {
  @Field(() => ID, { description: 'Only relationships made in this community.', nullable: true })
  communityId?: string | null;
}
