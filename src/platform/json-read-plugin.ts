import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { Principal } from './auth/principal.js';
import type { RequestContext } from './context.js';
import type { TenantSession } from '../db/tenant.js';
import type { Logger } from './logger.js';
import { asJavaScriptWritesIt, RawJson } from './raw-json.js';
import { JsonReadCompiler, type JsonEdge, type JsonReadPlan } from './sql/json-read.js';

/** Plans kept per variables of one operation; past it, that operation's plans are dropped and made again. */
const PLANS_PER_OPERATION = 64;

/** Query texts the fast route knows (and their total characters); past either, all are forgotten and learnt again from Apollo. */
const KNOWN_QUERIES = 500;
const KNOWN_CHARACTERS = 4 * 2 ** 20;

/**
 * The compiled reads (sql/json-read.ts) of one server: their plans, compiled once per operation
 * and variables, and the operations Apollo has already accepted and the compiled read answered,
 * by query text and operation name, which the fast route (http/fast-route.ts) may serve again.
 */
export class CompiledReads {
  private readonly compiler: JsonReadCompiler;
  /** Apollo keeps one parsed document per query text (its document store), so a repeated query brings the same operation object. */
  private readonly plans = new WeakMap<OperationDefinitionNode, Map<string, JsonReadPlan | null>>();
  private readonly known = new Map<string, Map<string | null, OperationDefinitionNode>>();
  private knownCharacters = 0;

  constructor(edges: readonly JsonEdge[]) {
    this.compiler = new JsonReadCompiler(edges);
  }

  private planOf(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): JsonReadPlan | null {
    let byVariables = this.plans.get(operation);
    if (!byVariables) this.plans.set(operation, (byVariables = new Map()));
    const key = JSON.stringify(variables ?? {});
    let plan = byVariables.get(key);
    if (plan === undefined) {
      plan = this.compiler.compile(schema, operation, variables);
      if (byVariables.size >= PLANS_PER_OPERATION) byVariables.clear();
      byVariables.set(key, plan);
    }
    return plan;
  }

  /**
   * The operation's `data` read in one statement under the caller's tenant binding, or null when
   * the resolvers must answer: a shape the compiler does not know, a widget (its grant decides),
   * a scope the caller lacks, or a non-null object not found. A failing statement throws.
   */
  async read(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | undefined,
    principal: Principal,
    session: TenantSession,
  ): Promise<RawJson | null> {
    if (principal.widget) return null;
    const plan = this.planOf(schema, operation, variables);
    if (!plan) return null;
    for (const s of plan.scopes) if (!principal.scopes.has(s)) return null;
    const [row] = await session.readOnce<{ data: string; ok: boolean }>(plan.sql);
    return row.ok ? new RawJson(asJavaScriptWritesIt(row.data)) : null;
  }

  /** Remembers that Apollo accepted `query` (parsed, validated, operation chosen by `operationName`) and the compiled read answered it. */
  learn(query: string, operationName: string | null, operation: OperationDefinitionNode): void {
    let byName = this.known.get(query);
    if (!byName) {
      if (this.known.size >= KNOWN_QUERIES || this.knownCharacters + query.length > KNOWN_CHARACTERS) {
        this.known.clear();
        this.knownCharacters = 0;
      }
      this.known.set(query, (byName = new Map()));
      this.knownCharacters += query.length;
    }
    byName.set(operationName, operation);
  }

  /** The operation learnt for this query text and operation name, if any. */
  knownOperation(query: string, operationName: string | null): OperationDefinitionNode | undefined {
    return this.known.get(query)?.get(operationName);
  }
}

/**
 * Answers the nested reads it knows in one statement (sql/json-read.ts) instead of running the
 * resolvers. It runs after parsing, validation (query limits) and `didResolveOperation` (widget
 * grants, NUL checks), bound to the request's tenant (RLS), and only when the caller holds every
 * scope the fields' resolvers would check. The statement goes in the same round trip as the
 * tenant binding (TenantSession.readOnce), and its JSON text goes into the response as it is
 * (RawJson, written by raw-json.ts stringifyResult). Anything else, including any failure of the
 * compiled statement (which runs in a transaction of its own), goes to the resolvers, which
 * answer as they always have (errors, codes, masking). An operation answered here from a query
 * text posted as JSON is learnt for the fast route.
 */
export function jsonReadPlugin(reads: CompiledReads, logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ contextValue, operation, schema, request }) {
          const { principal, scope } = contextValue;
          if (!operation || !principal || !scope || contextValue.compiledReadTried) return null;
          let data: RawJson | null;
          try {
            data = await reads.read(schema, operation, request.variables, principal, scope.session);
          } catch (error) {
            // The resolvers run next, in the request's own transaction, and meet the same fault or not: their answer stands.
            logger.error('compiled read failed', { requestId: contextValue.requestId, error });
            return null;
          }
          // A non-null object not found (the tenant's organization gone), and any shape not compiled: the resolvers answer.
          if (!data) return null;
          if (request.http?.method === 'POST' && request.query !== undefined && request.extensions === undefined) {
            reads.learn(request.query, request.operationName ?? null, operation);
          }
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: data as unknown as Record<string, unknown> } } };
        },
      };
    },
  };
}
