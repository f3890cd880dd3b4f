import type { GraphQLClient } from '../support/graphql-client';

/** Creates a community through GraphQL and returns its id. */
export async function createCommunity(client: GraphQLClient, input: Record<string, unknown> = {}): Promise<string> {
  const data = await client.data(`mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`, {
    input: { name: 'Growth Hackers', platform: 'linkedin', ...input },
  });
  return data.createCommunity.id;
}

/** Creates a relationship through GraphQL and returns its id. */
export async function createRelationship(client: GraphQLClient, communityId: string, input: Record<string, unknown> = {}): Promise<string> {
  const data = await client.data(`mutation ($input: CreateRelationshipInput!) { createRelationship(input: $input) { id } }`, {
    input: { communityId, name: 'Ada Lovelace', ...input },
  });
  return data.createRelationship.id;
}

/** Logs a conversation through GraphQL and returns its id. */
export async function logConversation(client: GraphQLClient, relationshipId: string, input: Record<string, unknown> = {}): Promise<string> {
  const data = await client.data(`mutation ($input: LogConversationInput!) { logConversation(input: $input) { id } }`, {
    input: { relationshipId, occurredAt: new Date().toISOString(), ...input },
  });
  return data.logConversation.id;
}

/** A well-formed id that names nothing. */
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
