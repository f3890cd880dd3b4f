import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';
import { asJavaScriptWritesIt, RawJson } from './raw-json.js';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { JsonReadCompiler, type JsonEdge, type JsonReadPlan } from './sql/json-read.js';

/** Plans kept per variables of one operation; past it, that operation's plans are dropped and made again. */
const PLANS_PER_OPERATION = 64;

/**
 * Compiles once per operation and variables: Apollo keeps one parsed document per query text (its
 * document store), so a repeated query brings the same operation object, and its plan is reused.
 */
function planCache(compiler: JsonReadCompiler) {
  const plans = new WeakMap<OperationDefinitionNode, Map<string, JsonReadPlan | null>>();
  return (schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined) => {
    let byVariables = plans.get(operation);
    if (!byVariables) plans.set(operation, (byVariables = new Map()));
    const key = JSON.stringify(variables ?? {});
    let plan = byVariables.get(key);
    if (plan === undefined) {
      plan = compiler.compile(schema, operation, variables);
      if (byVariables.size >= PLANS_PER_OPERATION) byVariables.clear();
      byVariables.set(key, plan);
    }
    return plan;
  };
}

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
  const planOf = planCache(new JsonReadCompiler(edges));
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ contextValue, operation, schema, request }) {
          const { principal, scope } = contextValue;
          if (!operation || !principal || !scope || principal.widget) return null;
          const plan = planOf(schema, operation, request.variables);
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
