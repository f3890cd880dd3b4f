import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ConnectionType } from '../../platform/pagination.js';
import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';

/**
 * A community the organization curates (a LinkedIn group, a forum, a Discord server). Archived
 * communities keep their relationships and history and stay readable.
 * Reads go through SQL (COMMUNITY_FIELDS); the entity mapping is for other modules.
 */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'A community the organization curates. Archived ones keep their history and stay readable.', simpleResolvers: true })
@Entity('communities')
export class Community {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId?: string;

  @Field(() => ID)
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field({ description: 'Where it lives, as free text such as "linkedin", "discord" or "forum".' })
  @Column('text')
  platform!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  url!: string | null;

  @Field({ description: 'Whether the community is a targeted one (an audience the organization means to reach).' })
  @Column('boolean', { default: false })
  qualified!: boolean;

  @Field(() => Float, { nullable: true, description: 'How well the community fits the organization’s goals, 0..1.' })
  @Column('double precision', { name: 'alignment_score', nullable: true })
  alignmentScore!: number | null;

  @Field(() => [String])
  @Column('text', { array: true, default: () => `'{}'` })
  tags!: string[];

  @Field(() => Date, { nullable: true, description: 'When it was archived; null while active.' })
  @Column('timestamptz', { name: 'archived_at', nullable: true })
  archivedAt!: Date | null;

  @Field()
  @Column('timestamptz', { name: 'created_at', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;

  /** Keyset micros, present on rows read for a page (projection.ts keysetMicros). */
  _micros?: string;
}

/** `CommunityConnection` and `CommunityEdge`. */
export const CommunityConnection = ConnectionType(Community, 'Community');

/** How each Community field is read from a row of `communities c`. */
export const COMMUNITY_FIELDS: ColumnMap = {
  id: { sql: 'c.id' },
  name: { sql: 'c.name' },
  platform: { sql: 'c.platform' },
  url: { sql: 'c.url' },
  qualified: { sql: 'c.qualified' },
  alignmentScore: { sql: 'c.alignment_score' },
  tags: { sql: 'c.tags' },
  archivedAt: { sql: epochMs('c.archived_at'), time: true },
  createdAt: { sql: epochMs('c.created_at'), time: true },
  updatedAt: { sql: epochMs('c.updated_at'), time: true },
};

/** Every column of a community. */
export const COMMUNITY_ROW = new Projection(COMMUNITY_FIELDS, null);
