import { Field, ID, ObjectType } from 'type-graphql';
import { ApiKeyScope, Role } from '../../platform/auth/scopes.js';
import { ApiKey } from '../api-keys/api-key.types.js';
import { Organization } from '../organizations/organization.types.js';

@ObjectType({ description: 'A person who signs in. A user may belong to several organizations.' })
export class User {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;
  @Field()
  createdAt!: Date;
}

@ObjectType({ description: 'The caller: a member (user and role) or an API key, in one organization.' })
export class Viewer {
  @Field(() => Organization)
  organization!: Organization;

  @Field(() => User, { nullable: true })
  user!: User | null;

  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => Role, { nullable: true })
  role!: Role | null;

  @Field(() => [ApiKeyScope])
  scopes!: ApiKeyScope[];
}

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Session token for `Authorization: Bearer`; valid for one organization until expiresAt.' })
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => User)
  user!: User;

  @Field(() => Organization)
  organization!: Organization;
}
