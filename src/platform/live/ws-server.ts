import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { Counter } from 'prom-client';
import { WebSocketServer } from 'ws';
import type { AppServices } from '../context.js';
import type { QueryLimits } from '../limits/query-limits.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { ServerMetrics } from '../observability.js';
import { ConnectionRegistry, type RegistryOptions } from './connection-registry.js';
import { LiveHooks, publicErrors, type ConnectionParams, type Extra } from './live-hooks.js';
import { DEFAULT_LIVE_LIMITS, LiveCloseCode, type LiveLimits } from './live-connection.js';
import { FanOut } from './fan-out.js';

export { LiveCloseCode } from './live-connection.js';

export interface LiveServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  app: AppServices;
  metrics: ServerMetrics;
  validationRules: ValidationRule[];
  limits: QueryLimits;
  /** The request rate limiter of the HTTP path, applied to every operation sent over a socket too (none: unlimited). */
  rateLimiter?: RateLimiter | null;
  /** Per-connection limits (default DEFAULT_LIVE_LIMITS: 1 MiB send buffer, 20,000 queued events, 5 s close grace, a ping every 12 s). */
  liveLimits?: Partial<LiveLimits>;
  /** Most subscriptions (and operations in flight) on one connection (default 100). */
  maxOperationsPerConnection?: number;
  /** Options of the credential sweep (default: every 30 s). */
  registry?: RegistryOptions;
}

/** The running WebSocket side of a server. */
export interface LiveServer {
  wss: WebSocketServer;
  /** This node's open connections (revocation, expiry, sweeps). */
  registry: ConnectionRegistry;
  close(): Promise<void>;
}

/**
 * graphql-ws on the HTTP server's `/graphql`: authenticates in connection_init (4401 without a
 * valid credential, 4403 without READ), applies the same query limits as HTTP (Apollo's rules do
 * not run here), ends connections whose credential is revoked or expires (4403) or that read too
 * slowly (4413), keeps the open-subscriptions gauge exact, shares one execution per event among
 * identical subscriptions and writes its serialised result to all of them in one loop (fan-out.ts),
 * and commits or rolls back queries and mutations sent over the socket as
 * HTTP does. The hooks themselves are in live-hooks.ts.
 */
export function attachWebSocketServer(options: LiveServerOptions): LiveServer {
  const { httpServer, schema, app, metrics } = options;
  const registry = new ConnectionRegistry(app.revocations, app.authenticator, app.logger, options.registry);
  const closedByServer = new Counter({
    name: 'rapport_live_connections_closed_total',
    help: 'WebSocket connections the server closed, by reason (revoked or expired credential, slow consumer)',
    labelNames: ['reason'] as const,
    registers: [metrics.registry],
  });
  const hooks = new LiveHooks({
    schema,
    app,
    metrics,
    registry,
    validationRules: options.validationRules,
    limits: options.limits,
    liveLimits: { ...DEFAULT_LIVE_LIMITS, ...options.liveLimits },
    maxOperations: options.maxOperationsPerConnection ?? 100,
    rateLimiter: options.rateLimiter ?? null,
    closedByServer: (code) => closedByServer.inc({ reason: LiveCloseCode[code] }),
  });
  const fanOut = new FanOut({ publicResult: (args, result) => hooks.publicResult(args, result), executed: (args) => void hooks.executed(args) });
  // No permessage-deflate: a fan-out writes the same payload to thousands of sockets, and
  // compressing it per socket would cost more than the whole delivery (ws's default, made explicit).
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: app.config.bodyLimitBytes, perMessageDeflate: false });
  const disposable = useServer<ConnectionParams, Extra>(
    {
      schema,
      subscribe: (args) => fanOut.subscribe(args),
      onConnect: (ctx) => hooks.connect(ctx),
      onSubscribe: (ctx, _id, payload) => hooks.prepare(ctx, payload),
      onOperation: (ctx, id, _payload, args, result) => hooks.started(ctx, id, args, result),
      onNext: (ctx, _id, _payload, args, result) => hooks.next(ctx, args, result),
      onError: (_ctx, _id, _payload, errors) => publicErrors(errors, randomUUID()),
    },
    wss,
    0, // no graphql-ws keep-alive: each LiveConnection pings its client (see LiveConnection.armKeepAlive)
  );
  return {
    wss,
    registry,
    close: async () => {
      registry.close();
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      fanOut.writer.flushAll(); // the close frames leave now, not at the end of the task
      await disposable.dispose();
    },
  };
}
