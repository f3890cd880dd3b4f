import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyScope, Role } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import type { Connection } from '../../platform/sql/connection.js';
import { AuthPayload } from './member.types.js';
import { InvitationAcceptance, InvitationService } from './invitation.service.js';
import { AcceptInvitationInput, InviteMemberInput } from './member.inputs.js';
import { MemberService } from './member.service.js';
import { CreatedInvitation, Invitation, Member, MemberConnection } from './member.types.js';
import { SessionService } from './session.service.js';

/** Members, invitations and sessions of the caller's organization. */
@Resolver()
export class TeamResolver {
  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => MemberConnection, { description: 'The organization’s members, in the order they joined.' })
  members(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: 'How many members (default 20, at most 100).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
  ): Promise<Connection<Member & { id: string }>> {
    return new MemberService(tenantOf(ctx)).page(first, after);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => [Invitation], { description: 'Pending invitations (not accepted, revoked or expired), newest first.' })
  invitations(@Ctx() ctx: RequestContext): Promise<Invitation[]> {
    return new InvitationService(tenantOf(ctx)).pending();
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => CreatedInvitation, { description: 'Invites someone by email; the token is in the answer and nowhere else, valid 7 days.' })
  inviteMember(@Arg('input', { description: 'Whom to invite and with which role.' }) input: InviteMemberInput, @Ctx() ctx: RequestContext): Promise<CreatedInvitation> {
    return new InvitationService(tenantOf(ctx)).invite(input);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Invitation, { description: 'Revokes a pending invitation: its token stops working at once.' })
  revokeInvitation(@Arg('id', () => ID, { description: 'The invitation’s id.' }) id: string, @Ctx() ctx: RequestContext): Promise<Invitation> {
    return new InvitationService(tenantOf(ctx)).revoke(id);
  }

  @Mutation(() => AuthPayload, {
    description: 'Accepts an invitation, with no credential: makes the invited account with this password, or, when the account exists, checks that the password is its own. A token works once.',
  })
  acceptInvitation(@Arg('input', { description: 'The token and the password.' }) input: AcceptInvitationInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return new InvitationAcceptance(ctx.app, ctx).accept(input);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Member, { description: 'Changes a member’s role from their next request on (their open sockets close). Only an OWNER grants or changes the OWNER role; the last OWNER cannot be demoted.' })
  updateMemberRole(
    @Arg('userId', () => ID, { description: 'The member’s user id.' }) userId: string,
    @Arg('role', () => Role, { description: 'The new role.' }) role: Role,
    @Ctx() ctx: RequestContext,
  ): Promise<Member> {
    return new MemberService(tenantOf(ctx)).updateRole(userId, role);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes a member at once: their sessions here end and their open sockets close. Only an OWNER removes an OWNER; the last OWNER cannot be removed.' })
  removeMember(@Arg('userId', () => ID, { description: 'The member’s user id.' }) userId: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return new MemberService(tenantOf(ctx)).remove(userId);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Ends the session whose token this request carries: from now on it answers UNAUTHENTICATED, over HTTP and WebSocket.' })
  logOut(@Ctx() ctx: RequestContext): Promise<boolean> {
    return new SessionService(tenantOf(ctx)).logOut();
  }
}
