import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';
import { asJavaScriptWritesIt, RawJson } from './raw-json.js';
import { JsonReadCompiler, type JsonEdge } from './sql/json-read.js';

/**
 * Answers the nested reads it knows in one statement (sql/json-read.ts) instead of running the
 * resolvers. It runs after parsing, validation (query limits) and `didResolveOperation` (widget
 * grants, NUL checks), bound to the request's tenant (RLS), and only when the caller holds every
 * scope the fields' resolvers would check. The statement goes in the same round trip as the
 * tenant binding (TenantSession.readOnce), and its JSON text goes into the response as it is
 * (RawJson, written by raw-json.ts stringifyResult). Anything else, including any failure of the
 * compiled statement (which runs in a transaction of its own), goes to the resolvers, which
 * answer as they always have (errors, codes, masking).
 */
export function jsonReadPlugin(edges: readonly JsonEdge[], logger: Logger): ApolloServerPlugin<RequestContext> {
  const compiler = new JsonReadCompiler(edges);
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ contextValue, operation, schema, request }) {
          const { principal, scope } = contextValue;
          if (!operation || !principal || !scope || principal.widget) return null;
          const plan = compiler.compile(schema, operation, request.variables);
          if (!plan || [...plan.scopes].some((s) => !principal.scopes.has(s))) return null;
          let data: RawJson;
          try {
            const [row] = await scope.session.readOnce<{ data: string; ok: boolean }>(plan.sql);
            // A non-null object not found (the tenant's organization gone): the resolvers answer, with their error.
            if (!row.ok) return null;
            data = new RawJson(asJavaScriptWritesIt(row.data));
          } catch (error) {
            // The resolvers run next, in the request's own transaction, and meet the same fault or not: their answer stands.
            logger.error('compiled read failed', { requestId: contextValue.requestId, error });
            return null;
          }
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: data as unknown as Record<string, unknown> } } };
        },
      };
    },
  };
}
