import { randomBytes } from 'node:crypto';
import type { GraphQLClient } from './graphql-client';
import type { TestServer } from './test-server';

/** A signed-up owner with a session token and a client that uses it. */
export interface Tenant {
  token: string;
  organizationId: string;
  organizationSlug: string;
  userId: string;
  email: string;
  client: GraphQLClient;
}

export const PASSWORD = 'correct horse battery staple';

const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { token user { id email } organization { id slug } }
}`;

/** Signs up a new user and organization through GraphQL. */
export async function signUp(t: TestServer, name = 'Acme', email = `owner-${randomBytes(4).toString('hex')}@example.com`): Promise<Tenant> {
  const data = await t.client().data(SIGN_UP, { input: { email, password: PASSWORD, organizationName: name } });
  const { token, user, organization } = data.signUp;
  return { token, organizationId: organization.id, organizationSlug: organization.slug, userId: user.id, email, client: t.client(token) };
}

/** Creates an API key with the given scopes and returns its secret. */
export async function apiKey(tenant: Tenant, scopes: string[], name = 'partner'): Promise<{ id: string; secret: string }> {
  const data = await tenant.client.data(
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
    { input: { name, scopes } },
  );
  return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret };
}
