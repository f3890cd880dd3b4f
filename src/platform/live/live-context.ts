import type { SubscribeResolverData } from 'type-graphql';
import { TenantSession } from '../../db/tenant.js';
import type { Principal } from '../auth/principal.js';
import { TenantScope, tenantOf, type AppServices, type RequestContext } from '../context.js';
import type { LiveConnection } from './live-connection.js';

/** The context of an operation over WebSocket: a RequestContext plus its connection. */
export interface LiveRequestContext extends RequestContext {
  live?: LiveConnection;
  /** Subscribers with the same share key get one execution per event between them (see shared-execution.ts). */
  shareKey?: string;
}

/** A tenant session that remembers whether anything used it, so untouched ones need no ending. */
export class LiveSession extends TenantSession {
  used = false;

  override db(): ReturnType<TenantSession['db']> {
    this.used = true;
    return super.db();
  }
}

/** A scope for one event of a subscription (its session opens only if a resolver needs it). */
export function liveScope(app: AppServices, principal: Principal): TenantScope {
  return new TenantScope(app, principal, new LiveSession(app.ds, principal.organizationId));
}

/** The connection of a subscription's context; subscriptions run only over WebSocket. */
export function liveOf(ctx: RequestContext): LiveConnection {
  const live = (ctx as LiveRequestContext).live;
  if (!live) throw new Error('subscriptions need a WebSocket connection');
  return live;
}

/**
 * Runs `fn` in a short tenant transaction of its own, committed when it returns and rolled back
 * when it throws. Subscriptions live long; they must never hold a pooled connection between events.
 */
export async function inOwnScope<T>(app: AppServices, principal: Principal, fn: (scope: TenantScope) => Promise<T>): Promise<T> {
  const scope = new TenantScope(app, principal, new TenantSession(app.ds, principal.organizationId));
  let ok = false;
  try {
    const result = await fn(scope);
    ok = true;
    return result;
  } finally {
    await scope.session.finish(ok);
  }
}

/** What a `@Subscription`'s `subscribe` function is given. */
export type SubscribeData<A> = SubscribeResolverData<unknown, A, RequestContext>;

/** What a subscription's services need: the app, the caller, and its connection. */
export interface LiveCaller {
  app: AppServices;
  principal: Principal;
  live: LiveConnection;
}

/** The caller of a subscription, for services that outlive a request. */
export function liveCaller(ctx: RequestContext): LiveCaller {
  const scope = tenantOf(ctx);
  return { app: scope.app, principal: scope.principal, live: liveOf(ctx) };
}

/**
 * Ends the tenant transaction an event's execution may have opened (field resolvers using loaders)
 * and gives the next event a fresh scope, so nothing is held open between events.
 */
export async function renewScope(ctx: RequestContext): Promise<void> {
  const old = ctx.scope;
  if (!old || (old.session instanceof LiveSession && !old.session.used)) return;
  ctx.scope = liveScope(old.app, old.principal);
  await old.session.finish(true);
}
