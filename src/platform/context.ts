import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Config } from '../config.js';
import { TenantSession, type TenantDb } from '../db/tenant.js';
import type { Authenticator } from './auth/authenticator.js';
import type { Principal } from './auth/principal.js';
import { UnauthenticatedError } from './errors.js';
import type { Logger } from './logger.js';
import type { PubSub } from './pubsub/pubsub.js';
import type { RevocationListener } from './revocation/revocation-listener.js';
import type { LoginThrottle } from './limits/login-throttle.js';

/** Process-wide dependencies, made once by createServer. */
export interface AppServices {
  config: Config;
  ds: DataSource;
  logger: Logger;
  pubsub: PubSub;
  authenticator: Authenticator;
  /** This node's listener on the revocation channel (PostgreSQL LISTEN/NOTIFY). */
  revocations: RevocationListener;
  /** Log-in attempts per email and per address. */
  loginThrottle: LoginThrottle;
}

/** What a tenant-bound piece of code gets: the caller, its transaction and its loaders. */
export class TenantScope {
  private readonly loaderCache = new Map<unknown, unknown>();

  constructor(
    readonly app: AppServices,
    readonly principal: Principal,
    readonly session: TenantSession,
  ) {}

  /** The request's transaction, bound to the caller's organization (RLS and `db.tenantId`). */
  db(): Promise<TenantDb> {
    return this.session.db();
  }

  /** The request's instance of a loader, made on first use so batches never cross requests. */
  loader<K, V, C = K>(factory: (scope: TenantScope) => DataLoader<K, V, C>): DataLoader<K, V, C> {
    let loader = this.loaderCache.get(factory) as DataLoader<K, V, C> | undefined;
    if (!loader) {
      loader = factory(this);
      this.loaderCache.set(factory, loader);
    }
    return loader;
  }

  /** Publishes an event on this tenant's topic once the transaction commits. */
  publishAfterCommit(topic: string, payload: unknown): void {
    this.session.afterCommit(() => void this.app.pubsub.publish(this.session.tenantId, topic, payload));
  }
}

/** The mutation a public operation (no credential yet) runs, waiting for its service to record it (audit.ts). */
export interface PendingAudit {
  action: string;
  requestId: string;
  recorded: boolean;
}

/** The GraphQL context of one operation. */
export interface RequestContext {
  requestId: string;
  app: AppServices;
  principal: Principal | null;
  /** Present when the caller is authenticated. */
  scope: TenantScope | null;
  /** The caller's network address (log-in throttling counts by it). */
  address?: string;
  /** The audit event of the mutation being resolved (set by platform/audit.ts around each one). */
  audit?: PendingAudit;
  /** The fast route already ran the compiled read for this request and it did not answer: the resolvers answer. */
  compiledReadTried?: boolean;
}

/** Builds an operation's context for an authenticated principal (or none). */
export function createContext(app: AppServices, requestId: string, principal: Principal | null, address?: string): RequestContext {
  const scope = principal ? new TenantScope(app, principal, new TenantSession(app.ds, principal.organizationId)) : null;
  return { requestId, app, principal, scope, address };
}

/** The caller's tenant scope; UNAUTHENTICATED when there is none. */
export function tenantOf(ctx: RequestContext): TenantScope {
  if (!ctx.scope) throw new UnauthenticatedError();
  return ctx.scope;
}
