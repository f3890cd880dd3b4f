import { Field, Float, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';

/**
 * A community the organization curates (a LinkedIn group, a forum, a Discord server). Archived
 * communities keep their relationships and history and stay readable.
 * Read and written through SQL (community.table.ts).
 */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'A community the organization curates. Archived ones keep their history and stay readable.', simpleResolvers: true })
export class Community {
  @Field(() => ID, { description: 'The community’s id.' })
  id!: string;

  @Field({ description: 'The community’s name.' })
  name!: string;

  @Field({ description: 'Where it lives, as free text such as "linkedin", "discord" or "forum".' })
  platform!: string;

  @Field(() => String, { description: 'Where the community lives on the web, if it has an address.', nullable: true })
  url!: string | null;

  @Field({ description: 'Whether the community is a targeted one (an audience the organization means to reach).' })
  qualified!: boolean;

  @Field(() => Float, { nullable: true, description: 'How well the community fits the organization’s goals, 0..1.' })
  alignmentScore!: number | null;

  @Field(() => [String], { description: 'Free labels, for filtering and grouping.' })
  tags!: string[];

  @Field(() => Date, { nullable: true, description: 'When it was archived; null while active.' })
  archivedAt!: Date | null;

  @Field({ description: 'When the community was recorded.' })
  createdAt!: Date;

  @Field({ description: 'When the community last changed.' })
  updatedAt!: Date;

  /** Keyset micros, present on rows read for a page (keyset.ts keysetPage). */
  _micros?: string;
}

/** `CommunityConnection` and `CommunityEdge`. */
export const CommunityConnection = ConnectionType(Community, 'Community');
