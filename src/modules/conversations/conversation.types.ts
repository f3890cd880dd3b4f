import { Field, Float, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';

/**
 * A conversation with the person of a relationship.
 * Read and written through SQL (conversation.table.ts).
 */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'A conversation with the person of a relationship.', simpleResolvers: true })
export class Conversation {
  @Field(() => ID, { description: 'The conversation’s id.' })
  id!: string;

  @Field(() => ID, { description: 'The id of the relationship the conversation was with.' })
  relationshipId!: string;

  @Field({ description: 'When the conversation took place.' })
  occurredAt!: Date;

  @Field(() => String, { nullable: true, description: 'Free text such as "dm", "comment", "call", "event".' })
  channel!: string | null;

  @Field(() => String, { description: 'Free text: what was said or agreed.', nullable: true })
  summary!: string | null;

  @Field(() => Float, { nullable: true, description: 'From -1 (negative) to 1 (positive); null when unknown.' })
  sentiment!: number | null;

  @Field({ description: 'Whether it was a qualified (targeted, on-purpose) conversation.' })
  qualified!: boolean;

  @Field({ description: 'When it was logged.' })
  createdAt!: Date;

  /** Keyset micros, present on rows read for a page (keyset.ts keysetPage). */
  _micros?: string;
}

/** `ConversationConnection` and `ConversationEdge`. */
export const ConversationConnection = ConnectionType(Conversation, 'Conversation');
