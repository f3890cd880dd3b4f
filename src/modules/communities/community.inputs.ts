import { Field, Float, InputType } from 'type-graphql';

@InputType({ description: 'A new community: where the organization’s audience gathers.' })
export class CreateCommunityInput {
  @Field({ description: '1 to 200 characters.' })
  name!: string;

  @Field({ description: 'Free text such as "linkedin", 1 to 100 characters.' })
  platform!: string;

  @Field(() => String, { nullable: true, description: 'An http(s) URL.' })
  url?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  qualified?: boolean | null;

  @Field(() => Float, { nullable: true, description: '0..1.' })
  alignmentScore?: number | null;

  @Field(() => [String], { nullable: true, description: 'Up to 50 tags of 1 to 50 characters; duplicates are dropped.' })
  tags?: string[] | null;
}

@InputType({ description: 'Fields left out stay as they are; null clears url and alignmentScore.' })
export class UpdateCommunityInput {
  @Field(() => String, { description: 'The community’s name.', nullable: true })
  name?: string | null;

  @Field(() => String, { description: 'Where the community lives, such as discord, reddit or linkedin.', nullable: true })
  platform?: string | null;

  @Field(() => String, { description: 'Where the community lives on the web.', nullable: true })
  url?: string | null;

  @Field(() => Boolean, { description: 'Whether the community is a targeted one.', nullable: true })
  qualified?: boolean | null;

  @Field(() => Float, { description: 'How well the community fits the organization’s audience, 0 to 1.', nullable: true })
  alignmentScore?: number | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the tags.' })
  tags?: string[] | null;
}

@InputType({ description: 'Every given condition must hold.' })
export class CommunityFilter {
  @Field(() => String, { nullable: true, description: 'Exact platform, ignoring case.' })
  platform?: string | null;

  @Field(() => Boolean, { description: 'Only qualified (true) or only unqualified (false) communities.', nullable: true })
  qualified?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only archived communities; false: only active ones; left out: both.',
  })
  archived?: boolean | null;
}
