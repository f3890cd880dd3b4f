import { registerEnumType } from 'type-graphql';

export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  ANALYST = 'ANALYST',
  VIEWER = 'VIEWER',
}

/** What a principal may do. READ: queries and subscriptions; INGEST: recordMetrics,
 * createRelationship, logConversation; WRITE: every other domain mutation; ADMIN: keys and members. */
export enum ApiKeyScope {
  READ = 'READ',
  WRITE = 'WRITE',
  INGEST = 'INGEST',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'A member’s role in an organization.',
  valuesConfig: {
    OWNER: { description: 'Like ADMIN, and the only role that may grant or remove OWNER.' },
    ADMIN: { description: 'All four scopes: READ, WRITE, INGEST and ADMIN (members and API keys).' },
    ANALYST: { description: 'READ, WRITE and INGEST.' },
    VIEWER: { description: 'READ only.' },
  },
});
registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'READ: queries and subscriptions. INGEST: recordMetrics, createRelationship, logConversation. WRITE: every other domain mutation. ADMIN: API keys and members.',
  valuesConfig: {
    READ: { description: 'Every query and subscription.' },
    WRITE: { description: 'Every other domain mutation.' },
    INGEST: { description: 'recordMetrics, createRelationship and logConversation.' },
    ADMIN: { description: 'Manage API keys and members.' },
  },
});

/** The scopes each role grants (CONTRACT.md). */
export const ROLE_SCOPES: Readonly<Record<Role, readonly ApiKeyScope[]>> = {
  [Role.OWNER]: [ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.INGEST, ApiKeyScope.ADMIN],
  [Role.ADMIN]: [ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.INGEST, ApiKeyScope.ADMIN],
  [Role.ANALYST]: [ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.INGEST],
  [Role.VIEWER]: [ApiKeyScope.READ],
};
