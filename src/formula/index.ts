import type { Expr } from './ast';
import { parse } from './parser';

export type {
  BinaryNode,
  BinaryOp,
  CallNode,
  ComparisonOp,
  Expr,
  IdentifierNode,
  NumberNode,
  UnaryNode,
} from './ast';
export { identifierNodes, stripPositions } from './ast';
export { checkFormula, type FormulaCheck } from './check';
export { compile, evaluate, type CompiledFormula, type Variables } from './evaluate';
export { FormulaError, type Span } from './formula-error';
export { functions, type FormulaFunction } from './functions';
export { tokenize, type Token } from './lexer';
export { MAX_DEPTH, MAX_FORMULA_LENGTH, MAX_TOKENS, type FormulaLimits } from './limits';
export { parse } from './parser';
export { printFormula } from './print';
export { levenshtein, suggest } from './suggest';
export { topLevelTerms, type Term } from './terms';

/** Parses a formula with the default limits; throws FormulaError on any error in it. */
export function parseFormula(source: string): Expr {
  return parse(source);
}
