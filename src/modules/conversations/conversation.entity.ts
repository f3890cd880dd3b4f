import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ConnectionType } from '../../platform/pagination.js';
import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';

/**
 * A conversation with the person of a relationship.
 * Reads go through SQL (CONVERSATION_FIELDS); the entity mapping is for other modules.
 */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'A conversation with the person of a relationship.', simpleResolvers: true })
@Entity('conversations')
export class Conversation {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId?: string;

  @Field(() => ID)
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field(() => ID)
  @Column('uuid', { name: 'relationship_id' })
  relationshipId!: string;

  @Field({ description: 'When the conversation took place.' })
  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @Field(() => String, { nullable: true, description: 'Free text such as "dm", "comment", "call", "event".' })
  @Column('text', { nullable: true })
  channel!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  summary!: string | null;

  @Field(() => Float, { nullable: true, description: 'From -1 (negative) to 1 (positive); null when unknown.' })
  @Column('double precision', { nullable: true })
  sentiment!: number | null;

  @Field({ description: 'Whether it was a qualified (targeted, on-purpose) conversation.' })
  @Column('boolean', { default: false })
  qualified!: boolean;

  @Field({ description: 'When it was logged.' })
  @Column('timestamptz', { name: 'created_at', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  /** Keyset micros, present on rows read for a page (projection.ts keysetMicros). */
  _micros?: string;
}

/** `ConversationConnection` and `ConversationEdge`. */
export const ConversationConnection = ConnectionType(Conversation, 'Conversation');

/** How each Conversation field is read from a row of `conversations v`. */
export const CONVERSATION_FIELDS: ColumnMap = {
  id: { sql: 'v.id' },
  relationshipId: { sql: 'v.relationship_id' },
  occurredAt: { sql: epochMs('v.occurred_at'), time: true },
  channel: { sql: 'v.channel' },
  summary: { sql: 'v.summary' },
  sentiment: { sql: 'v.sentiment' },
  qualified: { sql: 'v.qualified' },
  createdAt: { sql: epochMs('v.created_at'), time: true },
};

/** Columns that Conversation's field resolvers read. */
export const CONVERSATION_NEEDS = { relationship: ['relationshipId'] } as const;

/** Every column of a conversation. */
export const CONVERSATION_ROW = new Projection(CONVERSATION_FIELDS, null);
