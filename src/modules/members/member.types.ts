import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../platform/auth/scopes.js';
import { ConnectionType } from '../../platform/pagination.js';
import { User } from './user.entity.js';

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
