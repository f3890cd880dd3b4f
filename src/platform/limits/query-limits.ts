import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import { QueryTooComplexError } from '../errors.js';
import { queryCostRule } from './query-cost.js';

/** Limits every operation must stay within; checked before any resolver or SQL runs. */
export interface QueryLimits {
  /** Deepest field nesting (default 12: a nested read of three connections is 10); introspection's is the schema's. */
  maxDepth: number;
  /** Most aliased fields in one operation (default 15, as graphql-armor). */
  maxAliases: number;
  /** Most lexical tokens in a document (default 1000, as graphql-armor). */
  maxTokens: number;
  /** Highest estimated cost: each field costs 1, multiplied by the `first` of every enclosing page (default 50,000). */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 15, maxTokens: 1000, maxCost: 50_000 };

/** graphql-armor's rules report through this: QUERY_TOO_COMPLEX, with armor's own message. */
function refuse(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(new QueryTooComplexError(error.message.replace(/^Syntax Error: /, '')));
}

/**
 * The validation rules of the query limits, for HTTP and WebSocket alike: graphql-armor's depth
 * and alias rules, and our cost rule (armor's counts a `first` given by a variable as 1). Each
 * measures a fragment once and reuses it at every spread, so judging is linear in the document.
 * The token limit is the parser's (`maxTokens`).
 */
export function queryLimitRules(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule[] {
  const armor = { exposeLimits: true, propagateOnRejection: false, onReject: [refuse] };
  return [
    maxDepthRule({ ...armor, n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true }) as unknown as ValidationRule,
    maxAliasesRule({ ...armor, n: limits.maxAliases }) as unknown as ValidationRule,
    queryCostRule(limits.maxCost),
  ];
}
