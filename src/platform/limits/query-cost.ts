import { Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule, type ValueNode } from 'graphql';
import { QueryTooComplexError } from '../errors.js';

/** What a `first` given by a variable is taken as: the largest page. */
const MAX_PAGE = 100;

/** Introspection's own fields: their depth and size are the schema's, not the caller's. */
const INTROSPECTION = new Set(['__schema', '__type']);

function pageSize(args: readonly { name: { value: string }; value: ValueNode }[] | undefined): number | null {
  const first = args?.find((a) => a.name.value === 'first');
  if (!first) return null;
  if (first.value.kind === Kind.INT) return Math.max(0, Math.min(Number(first.value.value), MAX_PAGE));
  return MAX_PAGE;
}

/**
 * The estimated cost of a document's operations: each field costs 1, multiplied by the `first` of
 * every enclosing page (a `first` given by a variable counts as the largest page). A fragment's cost is computed once, at multiplier 1, and scaled at each spread
 * (cost is linear in the multiplier), so the work is linear in the document whatever its spreads.
 */
export class CostMeter {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly known = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(definitions: readonly { kind: Kind }[]) {
    for (const def of definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) {
        const fragment = def as FragmentDefinitionNode;
        this.fragments.set(fragment.name.value, fragment);
      }
    }
  }

  /** The cost of a selection set whose fields each run `multiplier` times. */
  cost(set: SelectionSetNode, multiplier = 1): number {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (INTROSPECTION.has(sel.name.value)) continue;
        total += multiplier;
        if (!sel.selectionSet) continue;
        const size = pageSize(sel.arguments);
        total += this.cost(sel.selectionSet, size !== null ? multiplier * size : multiplier);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += this.cost(sel.selectionSet, multiplier);
      } else {
        total += multiplier * this.fragmentCost(sel.name.value);
      }
    }
    return total;
  }

  private fragmentCost(name: string): number {
    const known = this.known.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    if (!fragment || this.visiting.has(name)) return 0; // unknown or cyclic: graphql's own rules report it
    this.visiting.add(name);
    const cost = this.cost(fragment.selectionSet, 1);
    this.visiting.delete(name);
    this.known.set(name, cost);
    return cost;
  }
}

/** A validation rule that refuses operations whose estimated cost is over `maxCost` with QUERY_TOO_COMPLEX. */
export function queryCostRule(maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const meter = new CostMeter(context.getDocument().definitions);
    return {
      OperationDefinition(node) {
        const cost = meter.cost(node.selectionSet);
        if (cost > maxCost) context.reportError(new QueryTooComplexError(`Query cost ${cost} exceeds the limit of ${maxCost}`, { limit: maxCost, value: cost }));
      },
    };
  };
}
