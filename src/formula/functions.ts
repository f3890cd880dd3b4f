import type { CallNode, Expr } from './ast';
import { FormulaError } from './formula-error';
import { finiteOrNull, roundTo } from './numeric';
import { withSuggestion } from './suggest';

/** An argument evaluated on demand against a context (the variables, for the evaluator). */
export type ArgThunk<C> = (context: C) => number | null;

/** A built-in function: its arity and how to call it. */
export interface FormulaFunction {
  readonly name: string;
  readonly minArgs: number;
  /** Infinity for variadic functions. */
  readonly maxArgs: number;
  readonly description: string;
  /** Evaluates the call; strict functions return null when any argument is null. */
  call<C>(args: ReadonlyArray<ArgThunk<C>>, context: C): number | null;
  /** Rejects bad literal arguments when the formula is parsed. */
  validate?(call: CallNode): FormulaError | null;
}

/** Builds a function that evaluates every argument and yields null if any is null. */
function strict(
  name: string,
  [minArgs, maxArgs]: [number, number],
  description: string,
  apply: (xs: number[]) => number | null,
): FormulaFunction {
  return {
    name,
    minArgs,
    maxArgs,
    description,
    call<C>(args: ReadonlyArray<ArgThunk<C>>, context: C): number | null {
      const values = args.map((arg) => arg(context));
      if (values.some((value) => value === null)) return null;
      const result = apply(values as number[]);
      return result === null ? null : finiteOrNull(result);
    },
  };
}

/** `if(cond, then, else)`: evaluates only the chosen branch; a null condition gives null. */
const ifFunction: FormulaFunction = {
  name: 'if',
  minArgs: 3,
  maxArgs: 3,
  description: 'if(cond, then, else): then when cond is not 0, else otherwise',
  call<C>(args: ReadonlyArray<ArgThunk<C>>, context: C): number | null {
    const condition = args[0](context);
    if (condition === null) return null;
    return (condition !== 0 ? args[1] : args[2])(context);
  },
};

/** The value of a literal argument (`3` or `-3`), or undefined when it is not a literal. */
function literalValue(expr: Expr): number | undefined {
  if (expr.kind === 'Number') return expr.value;
  if (expr.kind === 'Unary' && expr.operand.kind === 'Number') return -expr.operand.value;
  return undefined;
}

/** Rejects `round(x, d)` when d is a literal other than a whole number from 0 to 10. */
function validateRoundDigits(call: CallNode): FormulaError | null {
  const digits = call.args[1];
  if (digits === undefined) return null;
  const value = literalValue(digits);
  if (value === undefined || (Number.isInteger(value) && value >= 0 && value <= 10)) return null;
  return FormulaError.at('round() digits must be a whole number from 0 to 10', digits);
}

const round: FormulaFunction = {
  ...strict('round', [1, 2], 'round(x) or round(x, digits): half away from zero, digits 0..10', ([x, d = 0]) =>
    roundTo(x, d),
  ),
  validate: validateRoundDigits,
};

/** The built-in functions by name (a Map, so `constructor` or `__proto__` are never found). */
export const functions: ReadonlyMap<string, FormulaFunction> = new Map(
  [
    strict('min', [2, Infinity], 'min(a, b, ...): the smallest argument', (xs) => Math.min(...xs)),
    strict('max', [2, Infinity], 'max(a, b, ...): the largest argument', (xs) => Math.max(...xs)),
    strict('abs', [1, 1], 'abs(x): the absolute value', ([x]) => Math.abs(x)),
    round,
    strict('sqrt', [1, 1], 'sqrt(x): the square root; null for negative x', ([x]) => (x < 0 ? null : Math.sqrt(x))),
    strict('log', [1, 1], 'log(x): the natural logarithm; null unless x > 0', ([x]) => (x <= 0 ? null : Math.log(x))),
    ifFunction,
  ].map((fn): [string, FormulaFunction] => [fn.name, fn]),
);

/** Finds a function by name; throws "unknown function 'x'" (with a suggestion) at `span`. */
export function lookupFunction(name: string, span: { start: number; end: number }): FormulaFunction {
  const fn = functions.get(name);
  if (fn === undefined) throw FormulaError.at(withSuggestion(`unknown function '${name}'`, name, functions.keys()), span);
  return fn;
}

/** Describes how many arguments a function takes, e.g. "at least 2 arguments". */
function arityText(fn: FormulaFunction): string {
  const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (fn.maxArgs === Infinity) return `at least ${plural(fn.minArgs)}`;
  if (fn.minArgs === fn.maxArgs) return plural(fn.minArgs);
  return `${fn.minArgs} or ${plural(fn.maxArgs)}`;
}

/** Throws when a call has too few arguments (at its argument list) or too many (at the extras). */
function checkArity(fn: FormulaFunction, call: CallNode): void {
  const count = call.args.length;
  if (count >= fn.minArgs && count <= fn.maxArgs) return;
  const message = `${fn.name}() takes ${arityText(fn)} but got ${count}`;
  if (count > fn.maxArgs) throw new FormulaError(message, call.args[fn.maxArgs].start, call.args[count - 1].end);
  throw new FormulaError(message, call.start + call.name.length, call.end);
}

/** Resolves a call to its function, checking name, arity and literal arguments; throws FormulaError. */
export function checkCall(call: CallNode): FormulaFunction {
  const fn = lookupFunction(call.name, { start: call.start, end: call.start + call.name.length });
  checkArity(fn, call);
  const problem = fn.validate?.(call) ?? null;
  if (problem !== null) throw problem;
  return fn;
}
