import type { BinaryOp, Expr } from './ast';
import { FormulaError } from './formula-error';

// Binding strength, weakest first; unary minus sits between * / and ^.
const COMPARISON = 1;
const ADDITIVE = 2;
const MULTIPLICATIVE = 3;
const UNARY = 4;
const POWER = 5;
const ATOM = 6;

const BINARY_PRECEDENCE: ReadonlyMap<BinaryOp, number> = new Map<BinaryOp, number>([
  ['<', COMPARISON],
  ['<=', COMPARISON],
  ['>', COMPARISON],
  ['>=', COMPARISON],
  ['==', COMPARISON],
  ['!=', COMPARISON],
  ['+', ADDITIVE],
  ['-', ADDITIVE],
  ['*', MULTIPLICATIVE],
  ['/', MULTIPLICATIVE],
  ['^', POWER],
]);

/** How tightly a node binds when printed without parentheses. */
function precedence(ast: Expr): number {
  switch (ast.kind) {
    case 'Unary':
      return UNARY;
    case 'Binary':
      return BINARY_PRECEDENCE.get(ast.op) ?? ATOM;
    case 'Number':
      return ast.value < 0 || Object.is(ast.value, -0) ? UNARY : ATOM;
    default:
      return ATOM;
  }
}

/** Prints a number as JavaScript does (`1e+21`, `5e-7`), which the lexer reads back exactly. */
function printNumber(value: number): string {
  if (!Number.isFinite(value)) throw new FormulaError(`cannot print the number ${value}`, 0, 0);
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Prints a child, in parentheses when it binds more loosely than `minimum`. */
function printOperand(ast: Expr, minimum: number): string {
  const text = printNode(ast);
  return precedence(ast) < minimum ? `(${text})` : text;
}

/** Prints `^`: its base must be an atom; its exponent may be a unary or another power (right-assoc). */
function printPower(left: Expr, right: Expr): string {
  return `${printOperand(left, ATOM)}^${printOperand(right, UNARY)}`;
}

/** Prints a left-associative operator: the right operand needs parentheses at equal precedence. */
function printLeftAssociative(op: BinaryOp, left: Expr, right: Expr): string {
  const own = BINARY_PRECEDENCE.get(op);
  if (own === undefined) throw new FormulaError(`unknown operator '${String(op)}'`, 0, 0);
  return `${printOperand(left, own)} ${op} ${printOperand(right, own + 1)}`;
}

/** Prints one node without surrounding parentheses. */
function printNode(ast: Expr): string {
  switch (ast.kind) {
    case 'Number':
      return printNumber(ast.value);
    case 'Identifier':
      return ast.name;
    case 'Unary':
      return `-${printOperand(ast.operand, UNARY)}`;
    case 'Binary':
      return ast.op === '^' ? printPower(ast.left, ast.right) : printLeftAssociative(ast.op, ast.left, ast.right);
    case 'Call':
      return `${ast.name}(${ast.args.map(printNode).join(', ')})`;
  }
}

/** Prints a formula with the fewest parentheses such that parsing the text gives the same tree. */
export function printFormula(ast: Expr): string {
  return printNode(ast);
}
