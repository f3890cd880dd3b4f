import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';
import { JsonReadCompiler, type JsonConnectionEdge } from './sql/json-read.js';

/**
 * Answers the nested reads it knows in one statement (sql/json-read.ts) instead of running the
 * resolvers. It runs after parsing, validation (query limits) and `didResolveOperation` (widget
 * grants, NUL checks), in the request's tenant transaction (RLS), and only when the caller holds
 * every scope the fields' resolvers would check. Anything else, including any failure of the
 * compiled statement, goes to the resolvers, which answer as they always have (errors, codes, masking).
 */
export function jsonReadPlugin(edges: readonly JsonConnectionEdge[], logger: Logger): ApolloServerPlugin<RequestContext> {
  const compiler = new JsonReadCompiler(edges);
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ contextValue, operation, schema, request }) {
          const { principal, scope } = contextValue;
          if (!operation || !principal || !scope || principal.widget) return null;
          const plan = compiler.compile(schema, operation, request.variables);
          if (!plan || [...plan.scopes].some((s) => !principal.scopes.has(s))) return null;
          let data: unknown;
          try {
            const [row] = await (await scope.db()).query<{ data: unknown }>(plan.sql, plan.params);
            data = row.data;
          } catch (error) {
            // The resolvers run next and meet the same fault (or an aborted transaction): their error is the answer.
            logger.error('compiled read failed', { requestId: contextValue.requestId, error });
            return null;
          }
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: data as Record<string, unknown> } } };
        },
      };
    },
  };
}
