import { randomBytes } from 'node:crypto';
import type { GraphQLClient } from '../support/graphql-client';
import type { Tenant } from '../support/builders';
import type { TestServer } from '../support/test-server';

export const INVITE = `mutation ($input: InviteMemberInput!) {
  inviteMember(input: $input) { token invitation { id email role expiresAt createdAt } }
}`;
export const ACCEPT = `mutation ($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { token expiresAt user { id email } organization { id slug } }
}`;
export const MEMBERS = `query ($first: Int, $after: String) {
  members(first: $first, after: $after) { totalCount edges { cursor node { role joinedAt user { id email } } } pageInfo { hasNextPage endCursor } }
}`;
export const UPDATE_ROLE = `mutation ($userId: ID!, $role: Role!) { updateMemberRole(userId: $userId, role: $role) { role user { id email } } }`;
export const REMOVE = `mutation ($userId: ID!) { removeMember(userId: $userId) }`;
export const LOG_OUT = `mutation { logOut }`;

/** A member who joined an organization through an invitation. */
export interface Joined {
  token: string;
  userId: string;
  email: string;
  client: GraphQLClient;
}

export const MEMBER_PASSWORD = 'another long password';

/** A fresh email address. */
export function newEmail(who = 'member'): string {
  return `${who}-${randomBytes(4).toString('hex')}@example.com`;
}

/** Invites `email` into the tenant and returns the invitation's token. */
export async function invite(by: Tenant | Joined, email: string, role: string): Promise<{ token: string; id: string }> {
  const data = await by.client.data(INVITE, { input: { email, role } });
  return { token: data.inviteMember.token, id: data.inviteMember.invitation.id };
}

/** Invites a new person with `role` and has them accept. */
export async function join(t: TestServer, by: Tenant | Joined, role: string, email = newEmail(role.toLowerCase())): Promise<Joined> {
  const { token } = await invite(by, email, role);
  const data = await t.client().data(ACCEPT, { input: { token, password: MEMBER_PASSWORD } });
  const p = data.acceptInvitation;
  return { token: p.token, userId: p.user.id, email, client: t.client(p.token) };
}
