import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import { TenantSession } from '../../db/tenant.js';
import type { AppServices } from '../context.js';
import { nulCharacterError } from '../graphql-plugins.js';
import type { CompiledReads } from '../json-read-plugin.js';
import type { ServerMetrics } from '../observability.js';
import { stringifyResult, type RawJson } from '../raw-json.js';
import { DECIDED_ADMISSION, setRateLimitHeaders, type Admission } from './admission.js';

/** Well-formed caller-given request ids (assignRequestId in server.ts takes the same). */
export const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Where the fast route leaves a body it read and could not parse, for express's JSON parser to report as its own. */
export const BODY_ERROR = Symbol('body error');

/** Largest body the fast route reads (a known compiled query and its variables are small); larger ones go to express. */
const MAX_FAST_BODY = 64 * 1024;

/** Content types body-parser reads as UTF-8 JSON and Apollo answers (no CSRF refusal), as the common clients write them. */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** `accept` values for which Apollo answers `application/json; charset=utf-8`. */
const JSON_ACCEPTS = new Set([undefined, '*/*', 'application/json']);

/** Body fields Apollo reads from a POST; any other (say `extensions`, persisted queries) goes to express. */
const BODY_KEYS = new Set(['query', 'operationName', 'variables']);

/** What the route needs of its server. */
export interface FastRouteParts {
  app: AppServices;
  schema: GraphQLSchema;
  reads: CompiledReads;
  metrics: ServerMetrics;
  /** The same CORS middleware express runs on /graphql (it only sets headers on a POST). */
  cors: RequestHandler;
  /** Admission's decision (http/admission.ts), headers only. */
  decide(req: IncomingMessage): Promise<Admission>;
  bodyLimitBytes: number;
}

/** What express's `res.locals` starts with when the fast route leaves a request to it. */
type Locals = { requestId: string; compiledReadTried?: boolean };
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** body-parser's error for a body that is not JSON (strict: an object or an array), as express's error handler reads it. */
function parseError(message: string): Error & { type: string; status: number } {
  return Object.assign(new SyntaxError(message), { type: 'entity.parse.failed', status: 400, statusCode: 400, expose: true });
}

/** Parses as express.json() does (strict, the byte order mark dropped); throws its error otherwise. */
function parseJsonBody(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') throw parseError('strict violation');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw parseError((e as Error).message);
  }
}

function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
    });
    req.on('end', () => (size === length ? resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)) : reject(new Error('request size did not match content length'))));
    req.on('error', reject);
    req.on('aborted', () => reject(Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400 })));
  });
}

/**
 * A route in front of express and Apollo for the operations the compiled read already answered
 * (CompiledReads.learn: Apollo parsed, validated and resolved that query text and operation name,
 * and the compiled read served it). For such a request it does what the full path would do, in
 * the same way: CORS headers, the request id, admission (credential, revocation, rate limit and
 * its headers), the NUL check, the scopes, the same statement under the caller's tenant binding,
 * the same answer bytes and headers, and the same metrics; and it writes that answer in one go.
 * Everything else goes to express unchanged: another method, path, content type, `accept`,
 * encoding or body shape, a query text not learnt, a body that is not JSON (express reports it),
 * a refused or anonymous caller, a widget, a plan not compiled, a failing statement. A request
 * it leaves after reading its body or admitting it carries what was done (the parsed body, the
 * request id, the admission decision) so express neither reads nor counts it twice.
 */
export class FastRoute {
  private serving = true;

  constructor(private readonly parts: FastRouteParts) {}

  /** From now on every request goes to express (the server is stopping: Apollo answers those). */
  stop(): void {
    this.serving = false;
  }

  /** The HTTP server's request listener: the fast route when the request may be one, else `next` (express). */
  handler(next: Handler): Handler {
    return (req, res) => {
      if (!this.serving || !this.mayServe(req)) return next(req, res);
      this.serve(req, res, next).catch((error: unknown) => {
        // Not expected (every step's failure goes to express); the connection is closed unanswered.
        this.parts.app.logger.error('fast route failed', { error });
        if (!res.headersSent) res.destroy();
      });
    };
  }

  /** Headers only: a JSON POST to /graphql with a credential, a small body of known length, and an answer Apollo would write as JSON. */
  private mayServe(req: IncomingMessage): boolean {
    const h = req.headers;
    if (req.method !== 'POST' || req.url !== '/graphql') return false;
    if (!JSON_TYPES.has(h['content-type']?.toLowerCase() ?? '') || !JSON_ACCEPTS.has(h.accept)) return false;
    if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return false;
    if (h.authorization === undefined && h['x-api-key'] === undefined) return false;
    const length = Number(h['content-length']);
    return Number.isInteger(length) && length > 0 && length <= Math.min(MAX_FAST_BODY, this.parts.bodyLimitBytes);
  }

  private async serve(req: IncomingMessage, res: ServerResponse, next: Handler): Promise<void> {
    const started = process.hrtime.bigint();
    const { parts } = this;
    const fallBack = (): void => next(req, res);
    // As express does for /graphql, in its order: CORS, then the request id (kept for express, should it answer).
    await new Promise<void>((resolve, reject) => parts.cors(req as never, res as never, (e?: unknown) => (e ? reject(e) : resolve())));
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const locals: Locals = Object.assign(Object.create(null) as Locals, { requestId });
    (res as { locals?: Locals }).locals = locals;
    res.setHeader('x-request-id', requestId);

    let body: unknown;
    try {
      body = parseJsonBody(await readBody(req, Number(req.headers['content-length'])));
    } catch (error) {
      (req as { [BODY_ERROR]?: unknown })[BODY_ERROR] = error;
      return fallBack();
    }
    (req as { body?: unknown }).body = body;
    const request = this.knownRequest(body);
    if (!request) return fallBack();

    const admission = await parts.decide(req);
    (req as { [DECIDED_ADMISSION]?: Admission })[DECIDED_ADMISSION] = admission;
    if (admission.kind !== 'admitted' || !admission.principal || admission.principal.widget) return fallBack();
    if (admission.decision) setRateLimitHeaders(res, admission.decision);
    const { principal } = admission;

    let data: RawJson | null;
    try {
      data = await parts.reads.read(parts.schema, request.operation, request.variables, principal, new TenantSession(parts.app.ds, principal.organizationId));
    } catch (error) {
      // As the plugin does: logged, and the resolvers answer (in the request's own transaction).
      parts.app.logger.error('compiled read failed', { requestId, error });
      data = null;
    }
    if (!data) {
      // The statement is not run a second time: the plugin leaves this request to the resolvers.
      locals.compiledReadTried = true;
      return fallBack();
    }

    const text = stringifyResult({ data: data as unknown as Record<string, unknown> });
    const operation = parts.metrics.operationLabels.label(request.operation.name?.value);
    parts.metrics.operations.inc({ operation, type: 'query', outcome: 'ok' });
    parts.metrics.durations.observe({ operation, type: 'query' }, Number(process.hrtime.bigint() - started) / 1e9);
    parts.metrics.fastRoute.inc();
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    // Headers and body leave in one write.
    res.end(text);
  }

  /** The learnt operation a parsed body asks for, with its variables; null for anything else. */
  private knownRequest(body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    const fields = body as Record<string, unknown>;
    for (const key in fields) if (!BODY_KEYS.has(key)) return null;
    const { query, operationName, variables } = fields;
    if (typeof query !== 'string') return null;
    if (operationName != null && typeof operationName !== 'string') return null;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    const operation = this.parts.reads.knownOperation(query, (operationName as string | null | undefined) ?? null);
    if (!operation) return null;
    const vars = (variables ?? undefined) as Record<string, unknown> | undefined;
    // nulCharacterPlugin refuses these (400): Apollo answers.
    if (nulCharacterError(vars, query)) return null;
    return { operation, variables: vars };
  }
}
