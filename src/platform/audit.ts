import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { preparedStatement } from '../db/prepared-statement.js';
import { TenantDb } from '../db/tenant.js';
import type { PendingAudit, RequestContext } from './context.js';
import { ForbiddenError } from './errors.js';

export type { PendingAudit };

/** Who did something, as the audit log shows it. */
export interface AuditActor {
  /** SYSTEM: Rapport itself, such as disabling a webhook that kept failing. */
  kind: 'USER' | 'API_KEY' | 'SYSTEM';
  id: string;
  /** The user's email or the key's name, as it was when the event was written. */
  name: string;
}

/** One audit event before it is written. */
export interface AuditEventDraft {
  organizationId: string;
  action: string;
  actor: AuditActor;
  targetId: string | null;
  requestId: string;
}

/** Anything that runs a statement in the mutation's transaction (an EntityManager, a TenantDb). */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Every mutation runs it (prepared when through a TenantDb). */
const INSERT_AUDIT_EVENT = preparedStatement(
  'audit.insert_event',
  `INSERT INTO audit_events (organization_id, action, actor_kind, actor_id, actor_name, target_id, request_id)
   VALUES ($1, $2, $3, $4, $5, $6, $7)`,
);

/** Writes one audit event in the given transaction, so it commits or rolls back with its mutation. */
export async function writeAuditEvent(m: Queryable, e: AuditEventDraft): Promise<void> {
  const params = [e.organizationId, e.action, e.actor.kind, e.actor.id, e.actor.name, e.targetId, e.requestId];
  if (m instanceof TenantDb) await m.query(INSERT_AUDIT_EVENT, params);
  else await m.query(INSERT_AUDIT_EVENT.text, params);
}

/**
 * For mutations that run before there is a caller (signUp, logIn, acceptInvitation): their service
 * records the event inside its own transaction, once it knows the organization and the actor.
 */
export async function recordPublicAudit(
  ctx: RequestContext,
  m: Queryable,
  e: Pick<AuditEventDraft, 'organizationId' | 'actor' | 'targetId'>,
): Promise<void> {
  const pending = ctx.audit;
  if (!pending) throw new Error('recordPublicAudit outside a mutation');
  await writeAuditEvent(m, { ...e, action: pending.action, requestId: pending.requestId });
  pending.recorded = true;
}

function stringId(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : null;
}

/**
 * What a mutation acted on: its `id` argument, else the id of what it returned (or of the first
 * object in it: `createApiKey` -> `apiKey.id`), else its first `…Id` argument. Only ids are read,
 * never inputs, so no secret can reach the log.
 */
export function auditTargetOf(args: Record<string, unknown>, result: unknown): string | null {
  const fromArgs = stringId(args.id);
  if (fromArgs) return fromArgs;
  if (result && typeof result === 'object') {
    const record = result as Record<string, unknown>;
    const own = stringId(record.id);
    if (own) return own;
    for (const value of Object.values(record)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const nested = stringId((value as Record<string, unknown>).id);
        if (nested) return nested;
      }
    }
  }
  for (const [name, value] of Object.entries(args)) if (name.endsWith('Id') && stringId(value)) return value as string;
  return null;
}

/**
 * Makes every root mutation write one audit event in the operation's own transaction, once its
 * resolver succeeded: a mutation that fails, or whose operation rolls back, leaves none. Wrapping
 * the schema's Mutation fields covers every mutation a feature adds, with no code in its resolver,
 * and costs queries and subscriptions nothing.
 */
export function auditEveryMutation(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args: Record<string, unknown>, ctx: RequestContext, info) => {
      // Root mutation fields run one after another, so one pending slot on the context is enough.
      const pending: PendingAudit = { action: field.name, requestId: ctx.requestId, recorded: false };
      ctx.audit = pending;
      try {
        const result: unknown = await resolve(source, args, ctx, info);
        const scope = ctx.scope;
        if (!pending.recorded && scope) {
          const p = scope.principal;
          // Unreachable: the widget grant refuses every mutation before it runs; kept so no event is ever written without an actor.
          if (p.kind === 'WIDGET_TOKEN') throw new ForbiddenError('A widget token may not run mutations');
          await writeAuditEvent(await scope.db(), {
            organizationId: scope.session.tenantId,
            action: field.name,
            actor: { kind: p.kind, id: (p.kind === 'USER' ? p.userId : p.apiKeyId)!, name: p.name ?? '' },
            targetId: auditTargetOf(args, result),
            requestId: ctx.requestId,
          });
        } else if (!pending.recorded) {
          throw new Error(`mutation ${field.name} ran without a caller and recorded no audit event`);
        }
        return result;
      } finally {
        ctx.audit = undefined;
      }
    };
  }
  return schema;
}
