import { Field, InputType } from 'type-graphql';
import { Role } from '../../platform/auth/scopes.js';

@InputType({ description: 'Whom to invite, and with which role.' })
export class InviteMemberInput {
  @Field({ description: 'The email address of the person to invite.' })
  email!: string;

  @Field(() => Role, { description: 'The role they will have. Only an OWNER may invite an OWNER.' })
  role!: Role;
}

@InputType({ description: 'An invitation token and the password of the account that accepts it.' })
export class AcceptInvitationInput {
  @Field({ description: 'The token from inviteMember.' })
  token!: string;

  @Field({ description: 'For a new account, its password (at least 10 characters); for an existing account, its own password.' })
  password!: string;
}
