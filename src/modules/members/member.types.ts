import { Field, ID, ObjectType } from 'type-graphql';
import { ApiKeyScope, Role } from '../../platform/auth/scopes.js';
import { ConnectionType } from '../../platform/pagination.js';
import { ApiKey } from '../api-keys/api-key.types.js';
import { Organization } from '../organizations/organization.types.js';

@ObjectType({ description: 'A person who signs in. A user may belong to several organizations.' })
export class User {
  @Field(() => ID, { description: 'The user’s id.' })
  id!: string;

  @Field({ description: 'The user’s email address.' })
  email!: string;
  @Field({ description: 'When the user signed up.' })
  createdAt!: Date;
}

// simpleResolvers: plain properties (getters), no middleware; the compiled read (viewer.table.ts) answers `organization` from SQL.
@ObjectType({ description: 'The caller: a member (user and role) or an API key, in one organization.', simpleResolvers: true })
export class Viewer {
  @Field(() => Organization, { description: 'The caller’s organization.' })
  organization!: Organization;

  @Field(() => User, { description: 'The user, when the caller is a session (null for an API key).', nullable: true })
  user!: User | null;

  @Field(() => ApiKey, { description: 'The API key used, when the caller is one.', nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => Role, { description: 'The user’s role, when the caller is a session (null for an API key).', nullable: true })
  role!: Role | null;

  @Field(() => [ApiKeyScope], { description: 'What the caller may do.' })
  scopes!: ApiKeyScope[];
}

@ObjectType({ description: 'What signUp and logIn answer: a session token and who it is for.' })
export class AuthPayload {
  @Field({ description: 'Session token for `Authorization: Bearer`; valid for one organization until expiresAt.' })
  token!: string;

  @Field({ description: 'When the token stops working.' })
  expiresAt!: Date;

  @Field(() => User, { description: 'The user the token is for.' })
  user!: User;

  @Field(() => Organization, { description: 'The organization the token is for.' })
  organization!: Organization;
}

@ObjectType({ description: 'A person in the organization and the role they hold there.' })
export class Member {
  @Field(() => User, { description: 'The member’s account.' })
  user!: User;

  @Field(() => Role, { description: 'What the member may do here (CONTRACT.md: VIEWER reads; ANALYST also writes and ingests; ADMIN and OWNER also manage keys and members).' })
  role!: Role;

  @Field({ description: 'When the member joined the organization.' })
  joinedAt!: Date;
}

/** A page of members, oldest first. */
export const MemberConnection = ConnectionType(Member, 'Member');

@ObjectType({ description: 'An invitation to join the organization, waiting to be accepted.' })
export class Invitation {
  @Field(() => ID, { description: 'The invitation’s id (not its token).' })
  id!: string;

  @Field({ description: 'Who is invited; the account of this email joins when the invitation is accepted.' })
  email!: string;

  @Field(() => Role, { description: 'The role the member will have.' })
  role!: Role;

  @Field({ description: 'When the token stops working: 7 days after it was made.' })
  expiresAt!: Date;

  @Field({ description: 'When the invitation was made.' })
  createdAt!: Date;
}

@ObjectType({ description: 'A new invitation and its token, which is shown only this once.' })
export class CreatedInvitation {
  @Field(() => Invitation, { description: 'The invitation.' })
  invitation!: Invitation;

  @Field({ description: 'The token to give the invited person (acceptInvitation). Only a hash of it is stored; it works once, for 7 days.' })
  token!: string;
}
