import { nulCharacterError } from '../graphql-plugins.js';
import { randomUUID } from 'node:crypto';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { principalKey } from '../auth/principal.js';
import { authorizeWidgetOperation } from '../auth/widget-grant.js';
import { Authenticator } from '../auth/authenticator.js';
import { ApiKeyScope } from '../auth/scopes.js';
import { createContext, type AppServices, type RequestContext } from '../context.js';
import { AppError, BadInputError, ErrorCode, RateLimitedError, toPublicError } from '../errors.js';
import { errorFormatter } from '../graphql-plugins.js';
import type { QueryLimits } from '../limits/query-limits.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { ServerMetrics } from '../observability.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { liveScope, renewScope, type LiveRequestContext } from './live-context.js';
import { FanOutMember } from './fan-out.js';
import { LiveCloseCode, LiveConnection, type LiveLimits } from './live-connection.js';
import { TrackedSubscription } from './tracked-subscription.js';

/** What a client sends in connection_init. */
export interface ConnectionParams {
  authorization?: string;
  [key: string]: unknown;
}

/** What we keep on graphql-ws's context of a connection. */
export type Extra = { connection?: LiveConnection };

export type Ctx = Context<ConnectionParams, Extra & { socket: WebSocket; request: IncomingMessage }>;

/** What the hooks need. */
export interface LiveHookDeps {
  schema: GraphQLSchema;
  app: AppServices;
  metrics: ServerMetrics;
  registry: ConnectionRegistry;
  validationRules: ValidationRule[];
  limits: QueryLimits;
  liveLimits: LiveLimits;
  maxOperations: number;
  /** The HTTP path's limiter: every operation sent over a socket counts as one request (events do not). */
  rateLimiter: RateLimiter | null;
  /** Counts the connections the server closed, by reason. */
  closedByServer: (code: LiveCloseCode) => void;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

function isSubscription(document: DocumentNode, operationName: string | null | undefined): boolean {
  return getOperationAST(document, operationName ?? undefined)?.operation === 'subscription';
}

/** The code Apollo gives a document that does not parse or validate, as over HTTP; errors with a code keep theirs. */
function withApolloCode(e: GraphQLError, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
  if (e.extensions.code || e.originalError) return e;
  return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } });
}

/** Errors as clients may see them, for graphql-ws `error` messages. */
export function publicErrors(errors: readonly GraphQLError[], requestId: string): GraphQLError[] {
  return errors.map((e) => {
    const { error } = toPublicError(e.toJSON(), e, requestId);
    return new GraphQLError(error.message, { extensions: error.extensions });
  });
}

/** A WebSocket close reason is at most 123 bytes. */
function closeReason(message: string): string {
  const reason = `Forbidden: ${message}`;
  return Buffer.byteLength(reason) <= 123 ? reason : `${Buffer.from(reason).subarray(0, 120).toString().replace(/\uFFFD$/, '')}…`;
}

/** The graphql-ws hooks of the live server, one method per stage of a connection's life. */
export class LiveHooks {
  private readonly format: ReturnType<typeof errorFormatter>;

  constructor(private readonly deps: LiveHookDeps) {
    this.format = errorFormatter(deps.app.logger);
  }

  /**
   * connection_init: a valid credential with READ (or a widget token used from one of its
   * origins), or the socket closes (4401, 4403) before anything runs.
   */
  async connect(ctx: Ctx): Promise<boolean> {
    const { app, registry, liveLimits, closedByServer } = this.deps;
    const credential = ctx.connectionParams?.authorization;
    const socket = ctx.extra.socket;
    try {
      const principal = await app.authenticator.authenticate(Authenticator.liveCredentialFrom(credential), ctx.extra.request.headers.origin);
      if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
      if (!principal.widget && !principal.scopes.has(ApiKeyScope.READ)) {
        socket.close(LiveCloseCode.Forbidden, 'Forbidden: the READ scope is needed');
        return false;
      }
      if (socket.readyState !== socket.OPEN) return false; // the client left while we looked
      const connection = new LiveConnection(socket, principal, liveLimits, closedByServer);
      registry.add(connection);
      ctx.extra.connection = connection;
      return connection.open;
    } catch (e) {
      if (e instanceof AppError && e.extensions.code === ErrorCode.FORBIDDEN) {
        socket.close(LiveCloseCode.Forbidden, closeReason(e.message));
        return false;
      }
      if (!(e instanceof AppError)) app.logger.error('websocket authentication failed', { error: e });
      socket.close(LiveCloseCode.Unauthenticated, 'Unauthorized');
      return false;
    }
  }

  /** subscribe: rate-limit, parse and validate with the same limits as HTTP, then build the operation's context. */
  async prepare(ctx: Ctx, payload: SubscribePayload): Promise<ExecutionArgs | GraphQLError[]> {
    const { schema, app, validationRules, limits, maxOperations, rateLimiter } = this.deps;
    const requestId = randomUUID();
    const connection = ctx.extra.connection!;
    if (Object.keys(ctx.subscriptions).length > maxOperations) {
      return [new BadInputError(`At most ${maxOperations} subscriptions may run on one connection`, { requestId })];
    }
    const decision = await rateLimiter?.hit(principalKey(connection.principal));
    if (decision && !decision.allowed) return publicErrors([new RateLimitedError(decision.retryAfterSeconds)], requestId);
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: limits.maxTokens });
    } catch (e) {
      return publicErrors([withApolloCode(e instanceof GraphQLError ? e : new GraphQLError(String(e)), 'GRAPHQL_PARSE_FAILED')], requestId);
    }
    const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
    if (errors.length) return publicErrors(errors.map((e) => withApolloCode(e, 'GRAPHQL_VALIDATION_FAILED')), requestId);
    const nul = nulCharacterError(payload.variables, payload.query);
    if (nul) return publicErrors([nul], requestId);
    const principal = connection.principal;
    if (principal.widget) {
      try {
        authorizeWidgetOperation(principal.widget, schema, document, payload.operationName, payload.variables);
      } catch (e) {
        return publicErrors([e instanceof GraphQLError ? e : new GraphQLError(String(e))], requestId);
      }
    }
    const base = createContext(app, requestId, principal, ctx.extra.request.socket.remoteAddress);
    const contextValue: LiveRequestContext = {
      ...base,
      // Queries and mutations keep the request's ordinary session; subscription events get lazy ones.
      scope: isSubscription(document, payload.operationName) ? liveScope(app, principal) : base.scope,
      live: connection,
      shareKey: [principal.organizationId, [...principal.scopes].sort().join(','), payload.operationName ?? '', payload.query, JSON.stringify(payload.variables ?? {})].join('\u0000'),
    };
    return { schema, document, variableValues: payload.variables ?? undefined, operationName: payload.operationName ?? undefined, contextValue };
  }

  /**
   * The operation ran: a subscription that started is counted until it ends, however it ends; a
   * query or mutation commits (or rolls back on errors) before its answer goes out, as over HTTP.
   */
  async started(ctx: Ctx, id: string, args: ExecutionArgs, result: unknown): Promise<AsyncIterable<ExecutionResult> | ExecutionResult | undefined> {
    const { app, metrics } = this.deps;
    const context = args.contextValue as RequestContext;
    if (result instanceof FanOutMember) result.identify(id);
    if (isAsyncIterable(result)) {
      metrics.subscriptions.inc();
      let untrack = () => {};
      const tracked = new TrackedSubscription(result, () => {
        metrics.subscriptions.dec();
        untrack();
        void context.scope?.session.finish(true).catch((error: unknown) => app.logger.warn('live transaction end failed', { error }));
      });
      untrack = ctx.extra.connection!.track(tracked);
      return tracked;
    }
    const session = context.scope?.session;
    if (!session) return undefined;
    try {
      await session.finish(!(result as ExecutionResult).errors?.length);
      return undefined;
    } catch (error) {
      app.logger.error('commit failed', { requestId: context.requestId, error });
      return { errors: [new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error')] };
    }
  }

  /** Before each result goes out: drop a client whose send buffer is over the cap, end the event's transaction, mask errors. */
  async next(ctx: Ctx, args: ExecutionArgs, result: ExecutionResult): Promise<ExecutionResult | undefined> {
    const connection = ctx.extra.connection;
    if (connection?.overloaded()) connection.close(LiveCloseCode.SlowConsumer, 'Slow consumer: send buffer full');
    await this.executed(args);
    return result.errors?.length ? this.publicResult(args, result) : undefined;
  }

  /** An event's execution is over: end the transaction it may have opened (field resolvers using loaders). */
  executed(args: ExecutionArgs): Promise<void> {
    return renewScope(args.contextValue as RequestContext).catch((error: unknown) => this.deps.app.logger.warn('live transaction end failed', { error }));
  }

  /** An event's result with its errors as this subscriber may see them: formatted and masked, with its request id. */
  publicResult(args: ExecutionArgs, result: ExecutionResult): ExecutionResult {
    if (!result.errors?.length) return result;
    const { requestId } = args.contextValue as RequestContext;
    const errors = result.errors.map((e) => this.format({ ...e.toJSON(), extensions: { ...e.extensions, requestId } }, e));
    return { ...result, errors } as unknown as ExecutionResult;
  }
}
