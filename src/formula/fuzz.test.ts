import fc from 'fast-check';
import { identifierNodes, stripPositions, type Expr } from './ast';
import { checkFormula } from './check';
import { compile, evaluate, type Variables } from './evaluate';
import { FormulaError } from './formula-error';
import { parseFormula } from './index';
import { parse } from './parser';
import { printFormula } from './print';
import { topLevelTerms } from './terms';

const KNOWN = ['leads', 'lead_value', 'a', 'b', 'x1'];

// ---- arbitraries -------------------------------------------------------------------------

/** Single characters a formula (or a near miss) is made of. */
const formulaChar = fc.constantFrom(...'abelmx_019.eE+-*/^(),<>=! \t\n;\'"AZ');
/** Fragments that lex, so that random strings often parse. */
const formulaToken = fc.constantFrom(
  ...['leads', 'a', 'x1', 'min', 'max(', 'if(', 'round(', 'sqrt(', 'abs(', 'log(', 'foo('],
  ...['1', '0', '2.5', '.5', '1e3', '1e+21', '(', ')', ',', '+', '-', '*', '/', '^', '<', '<=', '==', '!=', ' '],
);
const tokenSoup = fc.array(formulaToken, { maxLength: 60 }).map((parts) => parts.join(''));
const deepNest = fc
  .tuple(fc.constantFrom('(', '-', 'abs(', '2^', '-('), fc.integer({ min: 0, max: 3000 }))
  .map(([unit, n]) => unit.repeat(n));
const anyFormulaText = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: formulaChar, maxLength: 100 }),
  tokenSoup,
  deepNest,
  fc.string({ unit: formulaChar, minLength: 1990, maxLength: 2010 }),
);

const at = { start: 0, end: 0 };
const identifierName = fc.oneof(
  fc.constantFrom('a', 'b', 'leads', 'lead_value', 'min', 'if', 'e', '__proto__', 'constructor'),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/),
);
const nonNegative = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true }),
);
const leaf: fc.Arbitrary<Expr> = fc.oneof(
  nonNegative.filter((value) => !Object.is(value, -0)).map((value): Expr => ({ kind: 'Number', value, ...at })),
  identifierName.map((name): Expr => ({ kind: 'Identifier', name, ...at })),
);
const binaryOps = ['+', '-', '*', '/', '^', '<', '<=', '>', '>=', '==', '!='] as const;

/** Random well-formed trees, depth-bounded, using only valid function arities. */
const { expr: randomExpr } = fc.letrec<{ expr: Expr }>((tie) => {
  const sub = tie('expr');
  const call = (name: string, args: fc.Arbitrary<Expr[]>): fc.Arbitrary<Expr> =>
    args.map((list): Expr => ({ kind: 'Call', name, args: list, ...at }));
  const digits = fc.integer({ min: 0, max: 10 }).map((value): Expr => ({ kind: 'Number', value, ...at }));
  return {
    expr: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'expr' },
      leaf,
      sub.map((operand): Expr => ({ kind: 'Unary', op: '-', operand, ...at })),
      fc.tuple(fc.constantFrom(...binaryOps), sub, sub).map(([op, left, right]): Expr => ({ kind: 'Binary', op, left, right, ...at })),
      fc.oneof(
        call('min', fc.array(sub, { minLength: 2, maxLength: 4 })),
        call('max', fc.array(sub, { minLength: 2, maxLength: 4 })),
        call('abs', fc.tuple(sub)),
        call('sqrt', fc.tuple(sub)),
        call('log', fc.tuple(sub)),
        call('round', fc.oneof(fc.tuple(sub), fc.tuple(sub, digits))),
        call('if', fc.tuple(sub, sub, sub)),
      ),
    ),
  };
});

/** Valid formula text built from the grammar, with random spacing and redundant parentheses. */
const { text: validFormulaText } = fc.letrec<{ text: string }>((tie) => {
  const sub = tie('text');
  const space = fc.constantFrom('', ' ', '  ', '\t');
  const spaced = (...parts: Array<fc.Arbitrary<string>>): fc.Arbitrary<string> =>
    fc.tuple(...parts.flatMap((part) => [space, part]), space).map((pieces) => pieces.join(''));
  const args = (min: number, max: number): fc.Arbitrary<string> =>
    fc.array(sub, { minLength: min, maxLength: max }).map((list) => list.join(','));
  const number = fc.constantFrom('0', '1', '2', '3', '10', '0.5', '.25', '1e3', '2.5E-4', '1e+21', '1e308');
  return {
    text: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'text' },
      fc.oneof(number, fc.constantFrom('a', 'b', 'leads', 'x1', 'min')),
      spaced(sub, fc.constantFrom(...binaryOps), sub),
      spaced(fc.constant('-'), sub),
      spaced(fc.constant('('), sub, fc.constant(')')),
      spaced(fc.constantFrom('min(', 'max('), args(2, 3), fc.constant(')')),
      spaced(fc.constantFrom('abs(', 'sqrt(', 'log(', 'round('), sub, fc.constant(')')),
      spaced(fc.constant('round('), sub, fc.constant(','), fc.integer({ min: 0, max: 10 }).map(String), fc.constant(')')),
      spaced(fc.constant('if('), args(3, 3), fc.constant(')')),
    ),
  };
});

/** Variable values, including null, NaN, ±Infinity and -0. */
const variableValue = fc.oneof(fc.constant(null), fc.double(), fc.integer({ min: -3, max: 3 }));
const valuePool = fc.array(variableValue, { minLength: 8, maxLength: 8 });

/** Binds every identifier of the tree to a value from the pool. */
function bindVariables(ast: Expr, pool: Array<number | null>): Variables {
  const names = [...new Set(identifierNodes(ast).map((node) => node.name))];
  return new Map(names.map((name, i) => [name, pool[i % pool.length]]));
}

/** Runs `fn`, returning normally only if it succeeded or threw a well-formed FormulaError. */
function expectOnlyFormulaErrors(source: string, fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FormulaError);
    const { start, end } = error as FormulaError;
    expect(Number.isInteger(start) && Number.isInteger(end)).toBe(true);
    expect(0 <= start && start <= end && end <= source.length).toBe(true);
  }
}

const isNullOrFinite = (value: number | null): boolean => value === null || Number.isFinite(value);

// ---- properties --------------------------------------------------------------------------

describe('fuzz', () => {
  it('any string either parses or throws only a FormulaError, quickly', () => {
    fc.assert(
      fc.property(anyFormulaText, (source) => {
        const started = performance.now();
        expectOnlyFormulaErrors(source, () => parseFormula(source));
        expectOnlyFormulaErrors(source, () => checkFormula(source, KNOWN));
        expect(performance.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 1500 },
    );
  });

  it('checkFormula never throws: its errors are FormulaErrors within the source', () => {
    fc.assert(
      fc.property(anyFormulaText, (source) => {
        const result = checkFormula(source, KNOWN);
        if (result.ast === null) {
          expect([result.errors.length, result.identifiers.length]).toEqual([1, 0]);
        } else {
          for (const error of result.errors) expect(error.message).toMatch(/^unknown identifier '/);
        }
        for (const error of result.errors) expect(error.end).toBeLessThanOrEqual(source.length);
      }),
      { numRuns: 500 },
    );
  });

  it('grammatical text parses, evaluates to null or a finite number both ways, and prints back', () => {
    const unlimited = { maxLength: Infinity, maxTokens: Infinity };
    fc.assert(
      fc.property(validFormulaText, valuePool, (source, pool) => {
        const ast = parse(source, unlimited);
        const vars = bindVariables(ast, pool);
        const value = evaluate(ast, vars);
        expect(isNullOrFinite(value)).toBe(true);
        expect(compile(ast)(vars)).toBe(value);
        const reparsed = parse(printFormula(ast), unlimited);
        expect(stripPositions(reparsed)).toEqual(stripPositions(ast));
      }),
      { numRuns: 1500 },
    );
  });

  it('parseFormula(printFormula(ast)) equals the ast, positions aside', () => {
    fc.assert(
      fc.property(randomExpr, (ast) => {
        expect(stripPositions(parseFormula(printFormula(ast)))).toEqual(stripPositions(ast));
      }),
      { numRuns: 1500 },
    );
  });

  it('evaluation never yields NaN or Infinity, and compile agrees with evaluate', () => {
    fc.assert(
      fc.property(randomExpr, valuePool, (ast, pool) => {
        const vars = bindVariables(ast, pool);
        const value = evaluate(ast, vars);
        expect(isNullOrFinite(value)).toBe(true);
        expect(compile(ast)(vars)).toBe(value);
      }),
      { numRuns: 1500 },
    );
  });

  it('the signed top-level terms add up to the total', () => {
    fc.assert(
      fc.property(randomExpr, valuePool, (ast, pool) => {
        const vars = bindVariables(ast, pool);
        const total = evaluate(ast, vars);
        const values = topLevelTerms(ast).map((term) => {
          const value = evaluate(term.ast, vars);
          return value === null ? null : term.sign * value;
        });
        if (values.includes(null)) return expect(total).toBeNull();
        const sum = (values as number[]).reduce((acc, value) => acc + value);
        expect(total).toBe(Number.isFinite(sum) ? sum : null);
      }),
      { numRuns: 1000 },
    );
  });
});
