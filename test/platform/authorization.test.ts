import { getMetadataStorage } from 'type-graphql';
import { buildAppSchema } from '../../src/schema';

/** Operations anyone may call. */
const PUBLIC = new Set(['signUp', 'logIn', 'acceptInvitation']);
/** Operations any authenticated principal may call, whatever its scopes. */
const ANY_PRINCIPAL = new Set(['viewer', 'logOut']);
/** CONTRACT.md: INGEST covers exactly these mutations; ADMIN covers keys and members. */
const INGEST = new Set(['recordMetrics', 'createRelationship', 'logConversation']);
const ADMIN = new Set([
  'createApiKey',
  'createWidgetToken',
  'revokeWidgetToken',
  'widgetTokens',
  'revokeApiKey',
  'apiKeys',
  'updateOrganization',
  'members',
  'invitations',
  'auditLog',
  'inviteMember',
  'revokeInvitation',
  'updateMemberRole',
  'removeMember',
  'webhooks',
  'webhookDeliveries',
  'createWebhook',
  'updateWebhook',
  'deleteWebhook',
  'rotateWebhookSecret',
  'redeliverWebhook',
]);
/** CONTRACT.md: READ or INGEST (either scope): declared as any principal, the scopes checked by the imports service. */
const READ_OR_INGEST = new Set(['importJob', 'importJobs']);

describe('authorization declarations', () => {
  beforeAll(() => buildAppSchema());

  function declared(): Array<{ kind: string; name: string; roles: string[] | null }> {
    const storage = getMetadataStorage();
    const rolesOf = (target: Function, name: string) =>
      storage.authorizedFields.find((a) => a.target === target && a.fieldName === name)?.roles ?? null;
    return [
      ...storage.queries.map((q) => ({ kind: 'query', name: q.schemaName, roles: rolesOf(q.target, q.methodName) })),
      ...storage.mutations.map((q) => ({ kind: 'mutation', name: q.schemaName, roles: rolesOf(q.target, q.methodName) })),
      ...storage.subscriptions.map((q) => ({ kind: 'subscription', name: q.schemaName, roles: rolesOf(q.target, q.methodName) })),
    ];
  }

  it('declares the scope every operation needs, as CONTRACT.md assigns them', () => {
    const ops = declared();
    expect(ops.length).toBeGreaterThan(5);
    for (const op of ops) {
      let expected: string[] | null;
      if (PUBLIC.has(op.name)) expected = null;
      else if (ANY_PRINCIPAL.has(op.name) || READ_OR_INGEST.has(op.name)) expected = [];
      else if (ADMIN.has(op.name)) expected = ['ADMIN'];
      else if (op.kind !== 'mutation') expected = ['READ'];
      else if (INGEST.has(op.name)) expected = ['INGEST'];
      else expected = ['WRITE'];
      expect({ op: op.name, roles: op.roles }).toEqual({ op: op.name, roles: expected });
    }
  });
});
