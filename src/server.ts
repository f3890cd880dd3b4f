import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { MaxIntrospectionDepthRule, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Config } from './config.js';
import { openDatabase } from './db/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { entities } from './entities.js';
import { Authenticator } from './platform/auth/authenticator.js';
import { listenForRevokedSessions } from './platform/auth/session-revocations.js';
import { principalKey, type Principal } from './platform/auth/principal.js';
import { createContext, type AppServices, type RequestContext } from './platform/context.js';
import { roiFeeds } from './modules/roi/roi-updates.feed.js';
import { corsMiddleware } from './platform/cors.js';
import { ErrorCode } from './platform/errors.js';
import { errorFormatter, nulCharacterPlugin, transactionPlugin, widgetGrantPlugin } from './platform/graphql-plugins.js';
import { DEFAULT_QUERY_LIMITS, queryLimitRules } from './platform/limits/query-limits.js';
import { LoginThrottle } from './platform/limits/login-throttle.js';
import { limiterRedis, RequestRateLimiter } from './platform/limits/rate-limiter.js';
import { graphqlAdmission, graphqlAdmissionDecider } from './platform/http/admission.js';
import { BODY_ERROR, FastRoute, REQUEST_ID } from './platform/http/fast-route.js';
import { KeepAliveDrain } from './platform/http/keep-alive-drain.js';
import { bearerGuard } from './platform/http/bearer-guard.js';
import { databaseOutagePlugin, isDatabaseUnavailable, sendDatabaseUnavailable } from './platform/http/database-outage.js';
import { createLogger, type Logger } from './platform/logger.js';
import { ServerMetrics } from './platform/observability.js';
import { createPubSub } from './platform/pubsub/create-pubsub.js';
import { RevocationListener } from './platform/revocation/revocation-listener.js';
import type { LiveLimits } from './platform/live/live-connection.js';
import { attachWebSocketServer, type LiveServer } from './platform/live/ws-server.js';
import { buildAppSchema, jsonReads } from './schema.js';
import { CompiledReads, jsonReadPlugin } from './platform/json-read-plugin.js';
import { stringifyResult } from './platform/raw-json.js';
import { graphiqlRoutes } from './web/graphiql.js';
import { widgetRoutes } from './web/widgets.js';
import { restRoute } from './platform/http/rest.js';
import { JobQueue, type JobQueueOptions } from './platform/jobs/job-queue.js';
import { acceptImport } from './modules/imports/import-upload.js';
import { registerTasks } from './tasks.js';

/** A running Rapport server. */
export interface RapportServer {
  url: string;
  port: number;
  app: AppServices;
  metrics: ServerMetrics;
  /** The WebSocket side: its server and the registry of open live connections. */
  live: LiveServer;
  /**
   * Stops accepting, finishes in-flight requests, closes sockets, pubsub and the pool. With
   * `idleGraceMs` (SIGTERM), keep-alive connections are drained first (KeepAliveDrain): requests
   * arriving on them within that time are still answered, with `connection: close`.
   */
  close(options?: { idleGraceMs?: number }): Promise<void>;
}

/** Optional parts a caller (a test, a bench) may bring instead of having them made. */
export interface ServerOptions {
  ds?: DataSource;
  logger?: Logger;
  /** Options of this node's job queue workers; `false` runs none (jobs then wait for another node). */
  jobs?: JobQueueOptions | false;
  /** `false` sends every request through express and Apollo (tests compare the two paths); on by default. */
  fastRoute?: boolean;
  /** Per-connection limits of the live server (default DEFAULT_LIVE_LIMITS). */
  liveLimits?: Partial<LiveLimits>;
}

function jsonError(res: Response, status: number, code: ErrorCode, message: string, requestId: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code, requestId } }] });
}

async function resolveDatabase(config: Config, logger: Logger): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres(config.dataDir, logger, { port: config.embeddedPort });
  return { url: embedded.url, embedded };
}

/** Serves GraphQL over HTTP and graphql-ws on one port and path, plus health, readiness and metrics. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<RapportServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let embedded: EmbeddedDatabase | undefined;
  let ds = options.ds;
  if (!ds) {
    const db = await resolveDatabase(config, logger);
    embedded = db.embedded;
    ds = await openDatabase(db.url, config.poolSize, entities);
  }
  const pubsub = createPubSub(config, logger);
  const limiterStore = config.redisUrl ? limiterRedis(config.redisUrl, logger) : undefined;
  const rateLimiter = config.rateLimitPerMinute > 0 ? new RequestRateLimiter(config.rateLimitPerMinute, limiterStore) : null;
  const loginThrottle = new LoginThrottle(limiterStore);
  const revocations = new RevocationListener((ds.options as { url: string }).url, logger);
  await revocations.start();
  const app: AppServices = { config, ds, logger, pubsub, revocations, loginThrottle, authenticator: new Authenticator(ds, config.sessionSecret, logger, () => revocations.listening) };
  const stopRevocations = listenForRevokedSessions(pubsub, app.authenticator.revokedSessions);
  // A revoked session is known to this node at once from the revocation channel too, Redis or not.
  const stopSessionNotices = revocations.subscribe((r) => {
    if (r.kind === 'session') app.authenticator.revokedSessions.add([{ id: r.id, expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000) }]);
    if (r.kind === 'membership') app.authenticator.members.forget(r.organizationId, r.id);
  });
  // Notices may have been missed while the channel was away: no cached membership is trusted.
  const stopMemberResync = revocations.onResync(() => app.authenticator.members.clear());
  await app.authenticator.revokedSessions.load();
  const metrics = new ServerMetrics(ds);
  liveRoiMetrics(metrics, app);
  const schema = await buildAppSchema();
  // Introspection's nesting of lists (types { fields { type { fields …) is bounded by graphql's own rule.
  const validationRules = [...queryLimitRules(DEFAULT_QUERY_LIMITS), MaxIntrospectionDepthRule];

  const web = express();
  web.disable('x-powered-by');
  // No ETag: the API's answers are POSTs, never revalidated; hashing each body cost ~1% CPU (docs/decisions.md).
  web.set('etag', false);
  const reads = new CompiledReads(jsonReads);
  const cors = corsMiddleware(config.corsOrigins);
  const fastRoute = new FastRoute({ app, schema, reads, metrics, cors, decide: graphqlAdmissionDecider(app, rateLimiter), bodyLimitBytes: config.bodyLimitBytes });
  if (options.fastRoute === false) fastRoute.stop();
  const httpServer: Server = createHttpServer(fastRoute.handler(web));
  // Idle keep-alive connections outlive the clients' own reuse window (undici, browsers, load balancers at 60 s),
  // so a client never sends on a socket the server is closing at that moment (ECONNRESET).
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const keepAlive = new KeepAliveDrain(httpServer);
  const live = attachWebSocketServer({ httpServer, schema, app, metrics, validationRules, limits: DEFAULT_QUERY_LIMITS, rateLimiter, liveLimits: options.liveLimits });

  const apollo = await startApollo(schema, validationRules, logger, httpServer, metrics, live, reads);
  const jobs = options.jobs === false ? null : new JobQueue((ds.options as { url: string }).url, logger, options.jobs);
  if (jobs) {
    registerTasks(jobs, app);
    await jobs.start();
  }

  healthRoutes(web, ds, metrics, config.metricsToken, () => keepAlive.isDraining);
  web.use(widgetRoutes());
  // CORS first: the GraphiQL router would otherwise answer preflights for /graphql itself.
  web.use('/graphql', cors);
  web.use(graphiqlRoutes());
  web.post('/v1/imports', restRoute(app.authenticator, logger, (call) => acceptImport(app, call)));

  web.use('/graphql', assignRequestId);
  // Admission reads headers only, so even a body too large or malformed is counted and answered with ratelimit-* headers.
  const admit = graphqlAdmission(app, rateLimiter);
  web.use('/graphql', (req: Request, res: Response, next: NextFunction) => (req.method === 'POST' || req.method === 'GET' ? admit(req, res, next) : next()));
  const json = express.json({ limit: config.bodyLimitBytes });
  // A body the fast route read and found not to be JSON: reported here as express.json() reports its own.
  web.use('/graphql', (req: Request, res: Response, next: NextFunction) => {
    const bodyError = (req as { [BODY_ERROR]?: unknown })[BODY_ERROR];
    return bodyError ? next(bodyError) : json(req, res, next);
  });
  web.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const context = createContext(app, res.locals.requestId as string, (res.locals.principal as Principal) ?? null, req.ip);
        if (res.locals.compiledReadTried) context.compiledReadTried = true;
        return context;
      },
    }),
  );
  web.use(httpErrorHandler(config, logger));
  await listen(httpServer, config);
  const port = (httpServer.address() as AddressInfo).port;
  logger.info('listening', { url: `http://${config.host}:${port}/graphql` });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host}:${port}`,
    port,
    app,
    metrics,
    live,
    close: (closeOptions = {}) =>
      (closing ??= (async () => {
        const step = async (name: string, fn: () => Promise<unknown>) => {
          const started = Date.now();
          await fn();
          logger.debug('shutdown step done', { step: name, ms: Date.now() - started });
        };
        if (closeOptions.idleGraceMs) await step('keep-alive connections', () => keepAlive.drain(closeOptions.idleGraceMs!));
        // Apollo answers requests while it stops, as it always has.
        fastRoute.stop();
        await step('http and websocket', () => apollo.stop());
        if (jobs) await step('job queue', () => jobs.stop());
        stopRevocations();
        stopSessionNotices();
        stopMemberResync();
        app.authenticator.close();
        await step('pubsub', () => pubsub.close());
        await step('revocation listener', () => revocations.close());
        if (limiterStore) await step('rate limiter', async () => limiterStore.disconnect());
        if (!options.ds) await step('database pool', () => ds.destroy());
        if (embedded) await step('embedded postgres', () => embedded.stop());
      })()),
  };
}

/** Apollo over the schema, with the platform's plugins; started. */
async function startApollo(
  schema: GraphQLSchema,
  validationRules: ValidationRule[],
  logger: Logger,
  httpServer: Server,
  metrics: ServerMetrics,
  live: LiveServer,
  reads: CompiledReads,
): Promise<ApolloServer<RequestContext>> {
  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules,
    parseOptions: { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens },
    introspection: true,
    stopOnTerminationSignals: false, // main.ts owns the signals and the order of shutdown
    includeStacktraceInErrorResponses: false,
    formatError: errorFormatter(logger),
    // Apollo's own serialiser, except that the compiled read's JSON text is written in as it is.
    stringifyResult,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints are used; the plugin would otherwise wrap every field's resolution.
      ApolloServerPluginCacheControlDisabled(),
      // Browsers get GraphiQL from our own files (web/graphiql.ts), not Apollo's CDN-loaded page.
      ApolloServerPluginLandingPageDisabled(),
      transactionPlugin(logger),
      nulCharacterPlugin(),
      databaseOutagePlugin(),
      widgetGrantPlugin(),
      metrics.plugin(),
      jsonReadPlugin(reads, logger),
      { async serverWillStart() { return { drainServer: () => live.close() }; } },
    ],
  });
  await apollo.start();
  return apollo;
}

/** What live ROI costs this node: family computations, and the distinct windows and buckets followed (docs/security.md). */
function liveRoiMetrics(metrics: ServerMetrics, app: AppServices): void {
  const feeds = () => roiFeeds(app);
  metrics.counter('rapport_live_roi_computations_total', 'roiUpdated recomputations (one per family of windows differing only in `to`)', () => feeds().computations);
  metrics.counter('rapport_live_roi_buckets_computed_total', 'Series buckets of the roiUpdated reports computed (1 a report without an interval)', () => feeds().bucketsComputed);
  metrics.gauge('rapport_live_roi_windows', 'Distinct roiUpdated windows followed on this node', () => feeds().budget.usage().keys);
  metrics.gauge('rapport_live_roi_buckets', 'Buckets of the distinct roiUpdated windows followed on this node', () => feeds().budget.usage().weight);
}

/** Liveness, readiness (the database answers) and Prometheus metrics. */
function healthRoutes(web: Express, ds: DataSource, metrics: ServerMetrics, metricsToken: string | undefined, draining: () => boolean): void {
  web.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  web.get('/readyz', async (_req, res) => {
    if (draining()) return void res.status(503).json({ status: 'shutting down' });
    try {
      await ds.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  web.get('/metrics', bearerGuard(metricsToken), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/** Takes the caller's x-request-id when well-formed, else makes one; echoes it. */
function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  // The fast route may have assigned it already, before leaving the request to express.
  res.locals.requestId ??= given && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', res.locals.requestId);
  next();
}

/** Body too large (413), not JSON (400), anything else masked (500). */
function httpErrorHandler(config: Config, logger: Logger) {
  return (err: { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const requestId = (res.locals.requestId as string) ?? randomUUID();
    if (err.type === 'entity.too.large') {
      return jsonError(res, 413, ErrorCode.BAD_USER_INPUT, `Request body is larger than ${config.bodyLimitBytes} bytes`, requestId);
    }
    if (err.type === 'entity.parse.failed') {
      return jsonError(res, 400, ErrorCode.BAD_USER_INPUT, 'Request body is not valid JSON', requestId);
    }
    if (isDatabaseUnavailable(err)) return sendDatabaseUnavailable(res, requestId);
    logger.error('unhandled HTTP error', { requestId, error: err });
    jsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', requestId);
  };
}

async function listen(httpServer: Server, config: Config): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
}
