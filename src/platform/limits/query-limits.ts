import {
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { QueryTooComplexError } from '../errors.js';

/** Limits every operation must stay within; checked before any resolver or SQL runs. */
export interface QueryLimits {
  /** Deepest field nesting (default 12: a nested read of three connections is 10). */
  maxDepth: number;
  /** Most aliased fields in one operation (default 15, as graphql-armor). */
  maxAliases: number;
  /** Most lexical tokens in a document (default 1000, as graphql-armor). */
  maxTokens: number;
  /** Highest estimated cost: each field costs 1, multiplied by the `first` of every enclosing list (default 50,000). */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 15, maxTokens: 1000, maxCost: 50_000 };

/** What a list field without `first` is assumed to return, and what a `first` given by a variable is taken as. */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** Root fields whose subtree is introspection. */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
}

function pageSize(args: readonly { name: { value: string }; value: ValueNode }[] | undefined): number | null {
  const first = args?.find((a) => a.name.value === 'first');
  if (!first) return null;
  if (first.value.kind === Kind.INT) return Math.max(0, Math.min(Number(first.value.value), MAX_PAGE));
  return MAX_PAGE;
}

function measure(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  multiplier: number,
): Measure {
  const total: Measure = { depth: 0, aliases: 0, cost: 0 };
  for (const sel of set.selections) {
    let inner: Measure;
    if (sel.kind === Kind.FIELD) {
      const isList = sel.selectionSet && (pageSize(sel.arguments) !== null || sel.name.value === 'edges');
      const size = pageSize(sel.arguments) ?? DEFAULT_PAGE;
      const childMultiplier = sel.selectionSet && isList && sel.name.value !== 'edges' ? multiplier * size : multiplier;
      const child = sel.selectionSet ? measure(sel.selectionSet, fragments, visiting, childMultiplier) : { depth: 0, aliases: 0, cost: 0 };
      // Introspection's depth is the schema's (type references nest), not the caller's; graphql's
      // MaxIntrospectionDepthRule bounds its list nesting instead. Its aliases and cost still count.
      const depth = INTROSPECTION_ROOTS.has(sel.name.value) ? 1 : child.depth + 1;
      inner = { depth, aliases: child.aliases + (sel.alias ? 1 : 0), cost: child.cost + multiplier };
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(sel.selectionSet, fragments, visiting, multiplier);
    } else {
      const name = sel.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue; // unknown or cyclic: graphql's own rules report it
      visiting.add(name);
      inner = measure(fragment.selectionSet, fragments, visiting, multiplier);
      visiting.delete(name);
    }
    total.depth = Math.max(total.depth, inner.depth);
    total.aliases += inner.aliases;
    total.cost += inner.cost;
  }
  return total;
}

/** A validation rule that rejects operations over the depth, alias or cost limits with QUERY_TOO_COMPLEX. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    return {
      OperationDefinition(node) {
        const m = measure(node.selectionSet, fragments, new Set(), 1);
        const fail = (what: string, value: number, limit: number) =>
          context.reportError(
            new QueryTooComplexError(`Query ${what} ${value} exceeds the limit of ${limit}`, { limit, value }),
          );
        if (m.depth > limits.maxDepth) fail('depth', m.depth, limits.maxDepth);
        else if (m.aliases > limits.maxAliases) fail('alias count', m.aliases, limits.maxAliases);
        else if (m.cost > limits.maxCost) fail('cost', m.cost, limits.maxCost);
      },
    };
  };
}
