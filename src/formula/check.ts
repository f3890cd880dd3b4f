import { identifierNodes, type Expr } from './ast';
import { FormulaError } from './formula-error';
import { parse } from './parser';
import { withSuggestion } from './suggest';

/** What `checkFormula` found: the tree (null on a syntax error), every error, and the names used. */
export interface FormulaCheck {
  readonly ast: Expr | null;
  readonly errors: FormulaError[];
  /** Distinct identifiers in order of first appearance (empty on a syntax error). */
  readonly identifiers: string[];
}

/** Parses a formula, returning its first syntax error or else an error per unknown identifier occurrence. */
export function checkFormula(source: string, known: Iterable<string>): FormulaCheck {
  let ast: Expr;
  try {
    ast = parse(source);
  } catch (error) {
    if (error instanceof FormulaError) return { ast: null, errors: [error], identifiers: [] };
    throw error;
  }
  const knownNames = [...new Set(known)];
  const knownSet = new Set(knownNames);
  const nodes = identifierNodes(ast);
  const errors = nodes
    .filter((node) => !knownSet.has(node.name))
    .map((node) => FormulaError.at(withSuggestion(`unknown identifier '${node.name}'`, node.name, knownNames), node));
  return { ast, errors, identifiers: [...new Set(nodes.map((node) => node.name))] };
}
