import type { BinaryOp, BinaryNode, CallNode, Expr, IdentifierNode } from './ast';
import { FormulaError, type Span } from './formula-error';
import { checkCall } from './functions';
import { finiteOrNull } from './numeric';

/** Variable values by name; null means "no data" and propagates. */
export type Variables = ReadonlyMap<string, number | null>;
/** A formula turned into a function of its variables by `compile`. */
export type CompiledFormula = (vars: Variables) => number | null;

const BINARY_OPS: ReadonlyMap<BinaryOp, (a: number, b: number) => number> = new Map<
  BinaryOp,
  (a: number, b: number) => number
>([
  ['+', (a, b) => a + b],
  ['-', (a, b) => a - b],
  ['*', (a, b) => a * b],
  ['/', (a, b) => a / b], // x/0 is ±Infinity or NaN, which finiteOrNull turns into null
  ['^', (a, b) => a ** b],
  ['<', (a, b) => (a < b ? 1 : 0)],
  ['<=', (a, b) => (a <= b ? 1 : 0)],
  ['>', (a, b) => (a > b ? 1 : 0)],
  ['>=', (a, b) => (a >= b ? 1 : 0)],
  ['==', (a, b) => (a === b ? 1 : 0)],
  ['!=', (a, b) => (a !== b ? 1 : 0)],
]);

/** The function for a binary operator; throws for an operator the language does not have. */
function binaryOperator(node: BinaryNode): (a: number, b: number) => number {
  const op = BINARY_OPS.get(node.op);
  if (op === undefined) throw FormulaError.at(`unknown operator '${String(node.op)}'`, node);
  return op;
}

/** Applies an operator with null propagation; a non-finite result becomes null. */
function applyBinary(op: (a: number, b: number) => number, a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : finiteOrNull(op(a, b));
}

/** A variable's value (non-finite values count as null); throws FormulaError when it is missing. */
function lookupVariable(node: IdentifierNode, vars: Variables): number | null {
  const value = vars.get(node.name);
  if (value === undefined) throw FormulaError.at(`missing variable '${node.name}'`, node);
  return value === null ? null : finiteOrNull(value);
}

/** The error for a node of no known kind (only possible for hand-built trees). */
function unknownNode(node: never): FormulaError {
  const span = node as Partial<Span>;
  return new FormulaError('unknown expression node', span.start ?? 0, span.end ?? 0);
}

/** Evaluates a call by walking its arguments' trees on demand. */
function evaluateCall(node: CallNode, vars: Variables): number | null {
  const fn = checkCall(node);
  return fn.call(node.args.map((arg) => (context: Variables) => evaluate(arg, context)), vars);
}

/** Evaluates a formula tree directly: null propagates; x/0, sqrt(-1), NaN and ±Infinity give null. */
export function evaluate(ast: Expr, vars: Variables): number | null {
  switch (ast.kind) {
    case 'Number':
      return finiteOrNull(ast.value);
    case 'Identifier':
      return lookupVariable(ast, vars);
    case 'Unary': {
      const operand = evaluate(ast.operand, vars);
      return operand === null ? null : -operand;
    }
    case 'Binary': {
      const op = binaryOperator(ast);
      return applyBinary(op, evaluate(ast.left, vars), evaluate(ast.right, vars));
    }
    case 'Call':
      return evaluateCall(ast, vars);
    default:
      throw unknownNode(ast);
  }
}

/** Builds the closure for one node (and, recursively, its children). */
function compileNode(ast: Expr): CompiledFormula {
  switch (ast.kind) {
    case 'Number': {
      const value = finiteOrNull(ast.value);
      return () => value;
    }
    case 'Identifier':
      return (vars) => lookupVariable(ast, vars);
    case 'Unary': {
      const operand = compileNode(ast.operand);
      return (vars) => {
        const value = operand(vars);
        return value === null ? null : -value;
      };
    }
    case 'Binary': {
      const [op, left, right] = [binaryOperator(ast), compileNode(ast.left), compileNode(ast.right)];
      return (vars) => applyBinary(op, left(vars), right(vars));
    }
    case 'Call': {
      const [fn, args] = [checkCall(ast), ast.args.map(compileNode)];
      return (vars) => fn.call(args, vars);
    }
    default:
      throw unknownNode(ast);
  }
}

/** Compiles a formula once into closures (no eval); the result behaves exactly like `evaluate`. */
export function compile(ast: Expr): CompiledFormula {
  return compileNode(ast);
}
