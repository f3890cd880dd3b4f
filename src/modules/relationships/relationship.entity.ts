import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ConnectionType } from '../../platform/pagination.js';
import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';
import { RelationshipStage } from './relationship-stage.js';

/**
 * A person the organization has a relationship with, met in one of its communities.
 * Reads go through SQL (RELATIONSHIP_FIELDS); the entity mapping is for other modules.
 */
// simpleResolvers: plain fields use graphql's default resolver (no per-field middleware chain: hot in nested reads).
@ObjectType({ description: 'A person the organization has a relationship with, in one of its communities.', simpleResolvers: true })
@Entity('relationships')
export class Relationship {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId?: string;

  @Field(() => ID)
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field(() => ID)
  @Column('uuid', { name: 'community_id' })
  communityId!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true, description: 'The person’s handle on the community’s platform.' })
  @Column('text', { nullable: true })
  handle!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  company!: string | null;

  @Field(() => RelationshipStage)
  @Column('text', { default: RelationshipStage.CONNECTED })
  stage!: RelationshipStage;

  @Field({ description: 'Whether the person is a targeted one (fits the audience the organization means to reach).' })
  @Column('boolean', { default: false })
  qualified!: boolean;

  @Field({ description: 'When the relationship began: given on creation (connectedAt), else its creation. Built-in metrics count it then.' })
  @Column('timestamptz', { name: 'connected_at', default: () => 'clock_timestamp()' })
  connectedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The caller’s own id for it (say, a CRM id), unique in the organization; null when none was given.' })
  @Column('text', { name: 'external_id', nullable: true })
  externalId!: string | null;

  /** The member who created it; null when an API key did. */
  @Column('uuid', { name: 'owner_id', nullable: true })
  ownerId!: string | null;

  @Field()
  @Column('timestamptz', { name: 'created_at', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;

  /** Keyset micros, present on rows read for a page (projection.ts keysetMicros). */
  _micros?: string;
}

/** `RelationshipConnection` and `RelationshipEdge`. */
export const RelationshipConnection = ConnectionType(Relationship, 'Relationship');

/** How each Relationship field is read from a row of `relationships r`. */
export const RELATIONSHIP_FIELDS: ColumnMap = {
  id: { sql: 'r.id' },
  communityId: { sql: 'r.community_id' },
  name: { sql: 'r.name' },
  handle: { sql: 'r.handle' },
  company: { sql: 'r.company' },
  stage: { sql: 'r.stage' },
  qualified: { sql: 'r.qualified' },
  ownerId: { sql: 'r.owner_id' },
  connectedAt: { sql: epochMs('r.connected_at'), time: true },
  externalId: { sql: 'r.external_id' },
  createdAt: { sql: epochMs('r.created_at'), time: true },
  updatedAt: { sql: epochMs('r.updated_at'), time: true },
};

/** Columns that Relationship's field resolvers read. */
export const RELATIONSHIP_NEEDS = { community: ['communityId'], owner: ['ownerId'], identities: ['communityId', 'handle'] } as const;

/** Every column of a relationship. */
export const RELATIONSHIP_ROW = new Projection(RELATIONSHIP_FIELDS, null);
