import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

@ObjectType({ description: 'A key a partner uses to call the API. Its secret is shown only once, at creation.' })
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Field(() => ID, { description: 'The key’s id (not its secret).' })
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field({ description: 'A name to recognise the key by, such as the partner or script using it.' })
  @Column('text')
  name!: string;

  @Field({ description: 'The first characters of the secret, to recognise the key in lists.' })
  @Column('text')
  prefix!: string;

  @Column('bytea', { name: 'secret_hash', select: false })
  secretHash!: Buffer;

  @Field(() => [ApiKeyScope], { description: 'What the key may do.' })
  @Column('text', { array: true })
  scopes!: ApiKeyScope[];

  @Column('uuid', { name: 'created_by_user_id', nullable: true })
  createdByUserId!: string | null;

  @Field({ description: 'When the key was made.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the key stops working; null for never.', nullable: true })
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { description: 'When the key was revoked; null while it works.', nullable: true })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last use, recorded at most once a minute.' })
  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType({ description: 'A key just made, with its secret: the only time the secret is shown.' })
export class CreatedApiKey {
  @Field(() => ApiKey, { description: 'The key, as apiKeys lists it.' })
  apiKey!: ApiKey;

  @Field({ description: 'The secret, shown only this once: only a hash of it is stored.' })
  secret!: string;
}
