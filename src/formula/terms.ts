import type { Expr } from './ast';
import { printFormula } from './print';

/** One signed term of a sum: the formula's total is Σ sign × value(ast). */
export interface Term {
  /** The printed term (without its sign), e.g. `leads * lead_value`. */
  readonly text: string;
  readonly sign: 1 | -1;
  readonly ast: Expr;
}

/** Makes a term, folding leading unary minuses into its sign. */
function makeTerm(ast: Expr, sign: 1 | -1): Term {
  let node = ast;
  let folded = sign;
  while (node.kind === 'Unary') {
    node = node.operand;
    folded = folded === 1 ? -1 : 1;
  }
  return { text: printFormula(node), sign: folded, ast: node };
}

/**
 * Splits a formula at its top-level `+` and `-` (not inside parentheses or calls), left to right,
 * e.g. `a * b + c - d` gives [+ a * b, + c, - d]; a formula without them is a single term.
 */
export function topLevelTerms(ast: Expr): Term[] {
  const reversed: Term[] = [];
  let node = ast;
  // Parsed + and - are left-associative, so the top-level terms hang off the left spine.
  while (node.kind === 'Binary' && (node.op === '+' || node.op === '-')) {
    reversed.push(makeTerm(node.right, node.op === '+' ? 1 : -1));
    node = node.left;
  }
  reversed.push(makeTerm(node, 1));
  return reversed.reverse();
}
