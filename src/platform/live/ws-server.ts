import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { Counter } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiKeyScope } from '../auth/scopes.js';
import { createContext, type AppServices, type RequestContext } from '../context.js';
import { AppError, BadInputError, ErrorCode, toPublicError } from '../errors.js';
import { errorFormatter } from '../graphql-plugins.js';
import type { QueryLimits } from '../limits/query-limits.js';
import type { ServerMetrics } from '../observability.js';
import { ConnectionRegistry, type RegistryOptions } from './connection-registry.js';
import { liveScope, renewScope, type LiveRequestContext } from './live-context.js';
import { subscribeShared } from './shared-execution.js';
import { DEFAULT_LIVE_LIMITS, LiveCloseCode, LiveConnection, type LiveLimits } from './live-connection.js';
import { TrackedSubscription } from './tracked-subscription.js';

export { LiveCloseCode } from './live-connection.js';

interface ConnectionParams {
  authorization?: string;
  [key: string]: unknown;
}

type Extra = {
  connection?: LiveConnection;
};

export interface LiveServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  app: AppServices;
  metrics: ServerMetrics;
  validationRules: ValidationRule[];
  limits: QueryLimits;
  /** Per-connection limits (default DEFAULT_LIVE_LIMITS). */
  liveLimits?: Partial<LiveLimits>;
  /** Most subscriptions (and operations in flight) on one connection (default 100). */
  maxOperationsPerConnection?: number;
  /** Options of the credential sweep. */
  registry?: RegistryOptions;
}

/** The running WebSocket side of a server. */
export interface LiveServer {
  wss: WebSocketServer;
  registry: ConnectionRegistry;
  close(): Promise<void>;
}

type Ctx = Context<ConnectionParams, Extra & { socket: WebSocket }>;

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

function isSubscription(document: DocumentNode, operationName: string | null | undefined): boolean {
  return getOperationAST(document, operationName ?? undefined)?.operation === 'subscription';
}

function publicErrors(errors: readonly GraphQLError[], requestId: string): GraphQLError[] {
  return errors.map((e) => {
    const { error } = toPublicError(e.toJSON(), e, requestId);
    return new GraphQLError(error.message, { extensions: error.extensions });
  });
}

/**
 * graphql-ws on the HTTP server's `/graphql`: authenticates in connection_init (4401 without a
 * valid credential, 4403 without READ), applies the same query limits as HTTP (Apollo's rules do
 * not run here), ends connections whose credential is revoked or expires (4403) or that read too
 * slowly (4413), keeps the open-subscriptions gauge exact, and commits or rolls back queries and
 * mutations sent over the socket as HTTP does.
 */
export function attachWebSocketServer(options: LiveServerOptions): LiveServer {
  const { httpServer, schema, app, metrics, validationRules, limits } = options;
  const liveLimits: LiveLimits = { ...DEFAULT_LIVE_LIMITS, ...options.liveLimits };
  const maxOperations = options.maxOperationsPerConnection ?? 100;
  const registry = new ConnectionRegistry(app.pubsub, app.ds, app.logger, options.registry);
  const format = errorFormatter(app.logger);
  const closedByServer = new Counter({
    name: 'rapport_live_connections_closed_total',
    help: 'WebSocket connections the server closed, by reason (revoked or expired credential, slow consumer)',
    labelNames: ['reason'] as const,
    registers: [metrics.registry],
  });
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: app.config.bodyLimitBytes });

  /** A result's errors as clients may see them (public codes kept, the rest masked and logged). */
  const formatResult = (result: ExecutionResult, requestId: string): ExecutionResult | undefined => {
    if (!result.errors?.length) return undefined;
    const errors = result.errors.map((e) => format({ ...e.toJSON(), extensions: { ...e.extensions, requestId } }, e));
    return { ...result, errors } as unknown as ExecutionResult;
  };

  const disposable = useServer<ConnectionParams, Extra>(
    {
      schema,
      subscribe: (args) => subscribeShared(args, (args.contextValue as LiveRequestContext).shareKey ?? null),
      onConnect: async (ctx: Ctx) => {
        const credential = ctx.connectionParams?.authorization;
        const socket = ctx.extra.socket;
        try {
          const value = typeof credential === 'string' ? credential.replace(/^Bearer\s+/i, '').trim() : undefined;
          const principal = await app.authenticator.authenticate(value || undefined);
          if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
          if (!principal.scopes.has(ApiKeyScope.READ)) {
            socket.close(LiveCloseCode.Forbidden, 'Forbidden: the READ scope is needed');
            return false;
          }
          if (socket.readyState !== socket.OPEN) return false; // the client left while we looked
          const connection = new LiveConnection(socket, principal, liveLimits, (code) => closedByServer.inc({ reason: LiveCloseCode[code] }));
          registry.add(connection);
          ctx.extra.connection = connection;
          return connection.open;
        } catch (e) {
          if (!(e instanceof AppError)) app.logger.error('websocket authentication failed', { error: e });
          socket.close(LiveCloseCode.Unauthenticated, 'Unauthorized');
          return false;
        }
      },
      onSubscribe: async (ctx: Ctx, _id, payload) => {
        const requestId = randomUUID();
        const connection = ctx.extra.connection!;
        if (Object.keys(ctx.subscriptions).length > maxOperations) {
          return [new BadInputError(`At most ${maxOperations} subscriptions may run on one connection`, { requestId })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens });
        } catch (e) {
          return publicErrors([e instanceof GraphQLError ? e : new GraphQLError(String(e))], requestId);
        }
        const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (errors.length) return publicErrors(errors, requestId);
        const principal = connection.principal;
        const base = createContext(app, requestId, principal);
        const contextValue: LiveRequestContext = {
          ...base,
          // Queries and mutations keep the request's ordinary session; subscription events get lazy ones.
          scope: isSubscription(document, payload.operationName) ? liveScope(app, principal) : base.scope,
          live: connection,
          shareKey: [principal.organizationId, [...principal.scopes].sort().join(','), payload.operationName ?? '', payload.query, JSON.stringify(payload.variables ?? {})].join('\u0000'),
        };
        return {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onOperation: async (ctx: Ctx, _id, _payload, args, result) => {
        const context = args.contextValue as RequestContext;
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
        // A query or mutation over the socket: commit or roll back as over HTTP, before answering.
        const session = context.scope?.session;
        if (!session) return undefined;
        try {
          await session.finish(!(result as ExecutionResult).errors?.length);
          return undefined;
        } catch (error) {
          app.logger.error('commit failed', { requestId: context.requestId, error });
          return { errors: [new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error')] };
        }
      },
      onNext: async (ctx: Ctx, _id, _payload, args, result) => {
        const connection = ctx.extra.connection;
        if (connection?.overloaded()) connection.close(LiveCloseCode.SlowConsumer, 'Slow consumer: send buffer full');
        const context = args.contextValue as RequestContext;
        await renewScope(context).catch((error: unknown) => app.logger.warn('live transaction end failed', { error }));
        return formatResult(result, context.requestId);
      },
      onError: (_ctx, _id, _payload, errors) => {
        return publicErrors(errors, randomUUID());
      },
    },
    wss,
  );
  return {
    wss,
    registry,
    close: async () => {
      registry.close();
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await disposable.dispose();
    },
  };
}
