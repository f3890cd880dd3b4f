import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

@ObjectType({ description: 'A key a partner uses to call the API. Its secret is shown only once, at creation.' })
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Field(() => ID)
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field({ description: 'The first characters of the secret, to recognise the key in lists.' })
  @Column('text')
  prefix!: string;

  @Column('bytea', { name: 'secret_hash', select: false })
  secretHash!: Buffer;

  @Field(() => [ApiKeyScope])
  @Column('text', { array: true })
  scopes!: ApiKeyScope[];

  @Column('uuid', { name: 'created_by_user_id', nullable: true })
  createdByUserId!: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last use, recorded at most once a minute.' })
  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'The secret, shown only this once: only a hash of it is stored.' })
  secret!: string;
}
