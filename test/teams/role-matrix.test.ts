import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { buildAppSchema } from '../../src/schema';
import { apiKey, signUp, type Tenant } from '../support/builders';
import type { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { LiveClient } from '../live/support/live';
import { join } from './team-builders';

type Scope = 'READ' | 'WRITE' | 'INGEST' | 'ADMIN';

/** CONTRACT.md, "Enums": the scopes each role grants. */
const ROLE_SCOPES: Record<string, Scope[]> = {
  OWNER: ['READ', 'WRITE', 'INGEST', 'ADMIN'],
  ADMIN: ['READ', 'WRITE', 'INGEST', 'ADMIN'],
  ANALYST: ['READ', 'WRITE', 'INGEST'],
  VIEWER: ['READ'],
};

/**
 * CONTRACT.md, operation by operation: READ all queries and subscriptions; INGEST recordMetrics,
 * createRelationship, logConversation; WRITE every other domain mutation; ADMIN API keys, members
 * (and what the additions mark ADMIN). `null`: any authenticated caller. Operations not named here
 * follow the general rule (queries READ, mutations WRITE).
 */
const NEEDS: Record<string, Scope | Scope[] | null> = {
  viewer: null,
  logOut: null,
  recordMetrics: 'INGEST',
  createRelationship: 'INGEST',
  logConversation: 'INGEST',
  apiKeys: 'ADMIN',
  createApiKey: 'ADMIN',
  revokeApiKey: 'ADMIN',
  updateOrganization: 'ADMIN',
  members: 'ADMIN',
  invitations: 'ADMIN',
  auditLog: 'ADMIN',
  inviteMember: 'ADMIN',
  revokeInvitation: 'ADMIN',
  updateMemberRole: 'ADMIN',
  removeMember: 'ADMIN',
  webhooks: 'ADMIN',
  webhookDeliveries: 'ADMIN',
  createWebhook: 'ADMIN',
  updateWebhook: 'ADMIN',
  deleteWebhook: 'ADMIN',
  rotateWebhookSecret: 'ADMIN',
  redeliverWebhook: 'ADMIN',
  widgetTokens: 'ADMIN',
  createWidgetToken: 'ADMIN',
  revokeWidgetToken: 'ADMIN',
  // Bulk import: either scope (the partner that uploads may follow its own jobs); importJobUpdated is READ, as subscriptions are.
  importJob: ['READ', 'INGEST'],
  importJobs: ['READ', 'INGEST'],
};
/** Operations that need no credential at all, and logOut, which ends the caller's session (tested in members.test.ts). */
const NOT_IN_MATRIX = new Set(['signUp', 'logIn', 'acceptInvitation', 'logOut']);
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** A value of an input type that passes GraphQL validation (only required fields are filled). */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type)) out[f.name] = sample(f.type);
    return out;
  }
  switch (getNamedType(type).name) {
    case 'ID':
      return UNKNOWN_ID;
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2026-01-01T00:00:00.000Z';
    default:
      return 'x';
  }
}

interface Operation {
  kind: 'query' | 'mutation' | 'subscription';
  name: string;
  /** The scope the operation needs (any one of them, for a list); null: any caller. */
  needs: Scope | Scope[] | null;
  document: string;
  variables: Record<string, unknown>;
}

function operationOf(kind: Operation['kind'], field: GraphQLField<unknown, unknown>): Operation {
  const required = field.args.filter((a) => isNonNullType(a.type));
  const defs = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const out = getNamedType(field.type);
  const selection = isObjectType(out) || isAbstractType(out) ? ' { __typename }' : '';
  const fallback: Scope = kind === 'mutation' ? 'WRITE' : 'READ';
  return {
    kind,
    name: field.name,
    needs: field.name in NEEDS ? NEEDS[field.name] : fallback,
    document: `${kind}${defs ? ` (${defs})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((a) => [a.name, sample(a.type)])),
  };
}

let t: TestServer;
let owner: Tenant;
let operations: Operation[];
const callers: Array<{ who: string; scopes: Scope[]; client: GraphQLClient; credential: string }> = [];

beforeAll(async () => {
  const schema = await buildAppSchema();
  const fields = (kind: Operation['kind'], type: GraphQLObjectType | null | undefined) =>
    Object.values(type?.getFields() ?? {}).map((f) => operationOf(kind, f));
  operations = [
    ...fields('query', schema.getQueryType()),
    ...fields('mutation', schema.getMutationType()),
    ...fields('subscription', schema.getSubscriptionType()),
  ].filter((op) => !NOT_IN_MATRIX.has(op.name));
  t = await startTestServer();
  owner = await signUp(t, 'Matrix');
  callers.push({ who: 'role OWNER', scopes: ROLE_SCOPES.OWNER, client: owner.client, credential: owner.token });
  for (const role of ['ADMIN', 'ANALYST', 'VIEWER']) {
    const m = await join(t, owner, role);
    callers.push({ who: `role ${role}`, scopes: ROLE_SCOPES[role], client: m.client, credential: m.token });
  }
  for (const scope of ['READ', 'WRITE', 'INGEST', 'ADMIN'] as Scope[]) {
    const key = await apiKey(owner, [scope], `key ${scope}`);
    callers.push({ who: `API key ${scope}`, scopes: [scope], client: t.client(key.secret), credential: key.secret });
  }
}, 60_000);
afterAll(() => t.close());

/** The first error code an operation answers over WebSocket within a short wait, or 'ok'. */
async function overWebSocket(credential: string, op: Operation): Promise<string> {
  const live = new LiveClient(t.url, credential);
  try {
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('ok'), 300);
      live.client.subscribe(
        { query: op.document, variables: op.variables },
        {
          next: (r: { errors?: ReadonlyArray<{ extensions?: { code?: unknown } }> }) => {
            if (r.errors?.length) {
              clearTimeout(timer);
              resolve(String(r.errors[0].extensions?.code));
            }
          },
          error: (e: unknown) => {
            clearTimeout(timer);
            const code = (e as { code?: number }).code;
            resolve(code === 4403 ? 'FORBIDDEN' : Array.isArray(e) ? String(e[0]?.extensions?.code) : `closed ${code}`);
          },
          complete: () => undefined,
        },
      );
    });
  } finally {
    await live.dispose();
  }
}

describe('every role and scope against every operation (CONTRACT.md)', () => {
  it('covers the operations of the contract that exist', () => {
    const names = new Set(operations.map((o) => o.name));
    for (const name of ['viewer', 'members', 'invitations', 'auditLog', 'inviteMember', 'revokeInvitation', 'updateMemberRole', 'removeMember', 'createApiKey', 'recordMetrics', 'createGoal', 'roi', 'metricUpdated']) {
      expect(names).toContain(name);
    }
  });

  it('answers FORBIDDEN exactly where the caller lacks the scope, over HTTP and WebSocket', async () => {
    const mismatches: string[] = [];
    const tally = { allowed: 0, forbidden: 0 };
    for (const caller of callers) {
      for (const op of operations) {
        const allowed = op.needs === null || [op.needs].flat().some((scope) => caller.scopes.includes(scope));
        let code: string;
        if (op.kind === 'subscription') {
          code = await overWebSocket(caller.credential, op);
        } else {
          const res = await caller.client.request(op.document, op.variables);
          code = String(res.errors?.[0]?.extensions?.code ?? 'ok');
        }
        const forbidden = code === 'FORBIDDEN';
        tally[forbidden ? 'forbidden' : 'allowed'] += 1;
        if (forbidden === allowed || code === 'UNAUTHENTICATED') {
          mismatches.push(`${caller.who} ${op.kind} ${op.name}: expected ${allowed ? 'allowed' : 'FORBIDDEN'}, got ${code}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(tally.allowed + tally.forbidden).toBe(callers.length * operations.length);
    expect(tally.forbidden).toBeGreaterThan(operations.length); // every role but OWNER and ADMIN is refused something
  }, 120_000);
});
