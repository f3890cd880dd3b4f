import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The codes a client can see in `extensions.code` (CONTRACT.md). */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  RATE_LIMITED = 'RATE_LIMITED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));

/** Apollo's own codes, passed through as they are (CONTRACT.md, "Tools that front-end teams bring"). */
const APOLLO_CLIENT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/** An error meant for the client: its message and extensions are shown as they are. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required: send a valid session token or API key') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** Bad input; `field` names the offending argument field, `index` a position in a list. */
export class BadInputError extends AppError {
  constructor(message: string, details: { field?: string; index?: number; [key: string]: unknown } = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(ErrorCode.NOT_FOUND, `${what} '${id}' not found`, { id });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many requests: retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

export class QueryTooComplexError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.QUERY_TOO_COMPLEX, message, details);
  }
}

/** The error, answered over HTTP with `status` (a client's mistake: 400) when it stops a request before execution (Apollo reads `extensions.http`). */
export function withHttpStatus<E extends GraphQLError>(error: E, status = 400): E {
  (error.extensions as Record<string, unknown>).http = { status };
  return error;
}

/** Throws BadInputError unless `ok`. */
export function check(ok: boolean, field: string, message: string): asserts ok {
  if (!ok) throw new BadInputError(message, { field });
}

interface ClassValidatorError {
  property: string;
  constraints?: Record<string, string>;
  children?: ClassValidatorError[];
}

function firstValidation(errors: ClassValidatorError[], path = ''): { field: string; message: string } | null {
  for (const e of errors) {
    const field = path ? `${path}.${e.property}` : e.property;
    const message = e.constraints && Object.values(e.constraints)[0];
    if (message) return { field, message: message.replace(e.property, field) };
    const nested = firstValidation(e.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/** Apollo's persisted-query codes: Apollo Client's persisted-query link acts on them, so they travel as they are. */
const PERSISTED_QUERY_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/** The HTTP status an error asks for through `extensions.http`, as Apollo's own client errors do. */
function httpStatusOf(error: unknown): number | undefined {
  const http = (error as GraphQLError | undefined)?.extensions?.http as { status?: number } | undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

function findAppError(error: unknown): AppError | null {
  for (let e = error, i = 0; e && i < 5; e = (e as { originalError?: unknown }).originalError, i++) {
    if (e instanceof AppError) return e;
  }
  return null;
}

/**
 * Maps any error to what a client may see: public codes keep their message, GraphQL's own
 * syntax and validation errors keep Apollo's codes, other request errors become BAD_USER_INPUT,
 * and everything else is masked.
 */
export function toPublicError(
  formatted: GraphQLFormattedError,
  original: unknown,
  requestId: string,
): { error: GraphQLFormattedError; masked: boolean } {
  const code = formatted.extensions?.code as string | undefined;
  const withId = (e: GraphQLFormattedError): GraphQLFormattedError => ({
    ...e,
    extensions: { ...e.extensions, requestId },
  });
  const app = findAppError(original);
  if (app) {
    const { http: _status, ...extensions } = app.extensions; // Apollo reads `http` before formatting; never shown
    return {
      error: withId({ message: app.message, locations: formatted.locations, path: formatted.path, extensions }),
      masked: false,
    };
  }
  if (code && PERSISTED_QUERY_CODES.has(code)) return { error: withId(formatted), masked: false };
  if (/Document contains more th(?:an|at) \d+ tokens/.test(formatted.message)) {
    return { error: withId({ message: formatted.message, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } }), masked: false };
  }
  if (code === 'BAD_USER_INPUT' && Array.isArray(formatted.extensions?.validationErrors)) {
    const first = firstValidation(formatted.extensions.validationErrors as ClassValidatorError[]);
    const { validationErrors: _omit, ...rest } = formatted.extensions;
    return {
      error: withId({ ...formatted, message: first?.message ?? formatted.message, extensions: { ...rest, field: first?.field } }),
      masked: false,
    };
  }
  if (code && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { error: withId(formatted), masked: false };
  }
  if (code === 'UNAUTHORIZED') {
    return { error: withId({ ...formatted, extensions: { code: ErrorCode.FORBIDDEN } }), masked: false };
  }
  // Apollo's standard codes that clients and tools act on: a document that does not parse or validate.
  if (code && APOLLO_CLIENT_CODES.has(code)) return { error: withId(formatted), masked: false };
  if (
    code === 'BAD_REQUEST' ||
    code === 'OPERATION_RESOLUTION_FAILURE'
  ) {
    return { error: withId({ ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT } }), masked: false };
  }
  // Apollo's refusals of a request (a persisted query whose hash does not match…) ask for a 4xx.
  const status = httpStatusOf(original);
  if (status !== undefined && status >= 400 && status < 500) {
    return { error: withId({ message: formatted.message, extensions: { code: ErrorCode.BAD_USER_INPUT } }), masked: false };
  }
  // A GraphQLError without a code raised while coercing variables or arguments is about input too.
  // (Over WebSocket it arrives as graphql-js made it, wrapping the scalar's own GraphQLError.)
  if (!code && original instanceof GraphQLError && !original.path && (!original.originalError || original.originalError instanceof GraphQLError)) {
    return { error: withId({ ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT } }), masked: false };
  }
  return {
    error: {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    },
    masked: true,
  };
}
