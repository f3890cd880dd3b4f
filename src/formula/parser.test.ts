import type { Expr } from './ast';
import { FormulaError } from './formula-error';
import { parse } from './parser';

/** A compact Lisp-like rendering of the tree, to check grouping. */
function sexpr(ast: Expr): string {
  switch (ast.kind) {
    case 'Number':
      return String(ast.value);
    case 'Identifier':
      return ast.name;
    case 'Unary':
      return `(neg ${sexpr(ast.operand)})`;
    case 'Binary':
      return `(${ast.op} ${sexpr(ast.left)} ${sexpr(ast.right)})`;
    case 'Call':
      return `(${[ast.name, ...ast.args.map(sexpr)].join(' ')})`;
  }
}

/** The thrown FormulaError as [message, start, end]. */
function parseError(source: string, limits = {}): [string, number, number] {
  try {
    parse(source, limits);
  } catch (error) {
    if (error instanceof FormulaError) return [error.message, error.start, error.end];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

const UNLIMITED = { maxLength: Infinity, maxTokens: Infinity };

describe('parse: structure', () => {
  it.each([
    ['leads * lead_value + opportunities * opportunity_value', '(+ (* leads lead_value) (* opportunities opportunity_value))'],
    ['hours_invested * hourly_rate + ad_spend', '(+ (* hours_invested hourly_rate) ad_spend)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['a - b * c', '(- a (* b c))'],
    ['(a - b) * c', '(* (- a b) c)'],
    ['2 ^ 3 ^ 2', '(^ 2 (^ 3 2))'],
    ['-2 ^ 2', '(neg (^ 2 2))'],
    ['2 * -3', '(* 2 (neg 3))'],
    ['-a * b', '(* (neg a) b)'],
    ['2 ^ -1', '(^ 2 (neg 1))'],
    ['2 ^ -3 ^ 2', '(^ 2 (neg (^ 3 2)))'],
    ['--a', '(neg (neg a))'],
    ['a - -b', '(- a (neg b))'],
    ['a < b == c', '(== (< a b) c)'],
    ['a + 1 >= b * 2', '(>= (+ a 1) (* b 2))'],
    ['a != b', '(!= a b)'],
    ['max(a, b + 1, -c)', '(max a (+ b 1) (neg c))'],
    ['if(a > 0, a, 0)', '(if (> a 0) a 0)'],
    ['min(1, 2) ^ 2', '(^ (min 1 2) 2)'],
    ['((((a))))', 'a'],
    ['min + 1', '(+ min 1)'],
  ])('%s', (source, expected) => {
    expect(sexpr(parse(source))).toBe(expected);
  });

  it('records node positions', () => {
    expect(parse(' -abs(x) * 2.5 ')).toEqual({
      kind: 'Binary',
      op: '*',
      start: 1,
      end: 14,
      left: {
        kind: 'Unary',
        op: '-',
        start: 1,
        end: 8,
        operand: { kind: 'Call', name: 'abs', start: 2, end: 8, args: [{ kind: 'Identifier', name: 'x', start: 6, end: 7 }] },
      },
      right: { kind: 'Number', value: 2.5, start: 11, end: 14 },
    });
  });
});

describe('parse: syntax errors', () => {
  it.each([
    [') + 1', "expected an expression but found ')'", 0, 1],
    ['* 2', "expected an expression but found '*'", 0, 1],
    ['+1', "expected an expression but found '+'", 0, 1],
    ['leads * * 2', "expected an expression but found '*'", 8, 9],
    ['a < < b', "expected an expression but found '<'", 4, 5],
    ['min(1,)', "expected an expression but found ')'", 6, 7],
    ['f(,)'.replace('f', 'max'), "expected an expression but found ','", 4, 5],
    ['leads +', 'unexpected end of formula', 7, 7],
    ['a ^ ', 'unexpected end of formula', 4, 4],
    ['-', 'unexpected end of formula', 1, 1],
    ['(a + b', "expected ')' to close '(' at 0", 6, 6],
    ['2 * (a + b c', "expected ')' to close '(' at 4", 11, 12],
    ['max(1, 2', "expected ')' to close '(' at 3", 8, 8],
    ['min(1 2)', "expected ')' to close '(' at 3", 6, 7],
    ['a + b)', "unexpected ')' after the end of the expression", 5, 6],
    ['1 2', "unexpected '2' after the end of the expression", 2, 3],
    ['leads lead_value', "unexpected 'lead_value' after the end of the expression", 6, 16],
    ['', 'formula is empty', 0, 0],
    ['   ', 'formula is empty', 0, 3],
  ])('%p -> %s at %i..%i', (source, message, start, end) => {
    expect(parseError(source)).toEqual([message, start, end]);
  });

  it('passes lexer errors through', () => {
    expect(parseError('1; DROP TABLE')).toEqual(["unexpected character ';'", 1, 2]);
  });
});

describe('parse: function calls', () => {
  it.each([
    ['bogus(1)', "unknown function 'bogus'", 0, 5],
    ['foo(1)', "unknown function 'foo', did you mean 'log'?", 0, 3],
    ['leads + mn(a, b)', "unknown function 'mn', did you mean 'min'?", 8, 10],
    ['constructor(1)', "unknown function 'constructor'", 0, 11],
    ['__proto__(1)', "unknown function '__proto__'", 0, 9],
    ['tostring(1)', "unknown function 'tostring'", 0, 8],
    ['valueof(x)', "unknown function 'valueof'", 0, 7],
    ['bogus(1 +', "unknown function 'bogus'", 0, 5],
    ['abs(1, 2)', 'abs() takes 1 argument but got 2', 7, 8],
    ['sqrt(1, 2, 3)', 'sqrt() takes 1 argument but got 3', 8, 12],
    ['abs()', 'abs() takes 1 argument but got 0', 3, 5],
    ['min(1)', 'min() takes at least 2 arguments but got 1', 3, 6],
    ['round(1, 2, 3)', 'round() takes 1 or 2 arguments but got 3', 12, 13],
    ['if(a, b)', 'if() takes 3 arguments but got 2', 2, 8],
    ['round(x, 11)', 'round() digits must be a whole number from 0 to 10', 9, 11],
    ['round(x, -1)', 'round() digits must be a whole number from 0 to 10', 9, 11],
    ['round(x, 1.5)', 'round() digits must be a whole number from 0 to 10', 9, 12],
  ])('%p -> %s at %i..%i', (source, message, start, end) => {
    expect(parseError(source)).toEqual([message, start, end]);
  });

  it('toString cannot even be lexed (uppercase), so it is rejected at the S', () => {
    expect(parseError('toString(1)')).toEqual(["unexpected character 'S'", 2, 3]);
  });

  it('accepts valid arities and non-literal digits', () => {
    expect(() => parse('min(1, 2, 3, 4, 5) + max(1, 2) + round(x) + round(x, 10) + round(x, d)')).not.toThrow();
  });
});

describe('parse: nesting limit', () => {
  const deep = 'formula is nested deeper than 64 levels';

  it('rejects 10,000 "(" by length without overflowing the stack', () => {
    expect(parseError('('.repeat(10_000))).toEqual(['formula is longer than 2000 characters', 2000, 10_000]);
  });

  it('rejects 10,000 "(" by depth at the 65th "(" when the length limit is lifted', () => {
    expect(parseError('('.repeat(10_000), UNLIMITED)).toEqual([deep, 64, 65]);
    expect(parseError(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`, UNLIMITED)).toEqual([deep, 64, 65]);
  });

  it('rejects 65 parentheses within the default limits', () => {
    expect(parseError(`${'('.repeat(65)}1${')'.repeat(65)}`)).toEqual([deep, 64, 65]);
  });

  it('rejects unary chains at the 65th minus', () => {
    expect(() => parse(`${'-'.repeat(64)}1`)).not.toThrow();
    expect(parseError(`${'-'.repeat(65)}1`)).toEqual([deep, 64, 65]);
    expect(parseError(`${'-'.repeat(10_000)}1`, UNLIMITED)).toEqual([deep, 64, 65]);
  });

  it('rejects exponent chains at the 65th caret', () => {
    expect(() => parse(Array(65).fill('1').join('^'))).not.toThrow();
    expect(parseError(Array(66).fill('1').join('^'))).toEqual([deep, 129, 130]);
    expect(parseError(Array(10_000).fill('1').join('^'), UNLIMITED)).toEqual([deep, 129, 130]);
  });

  it('rejects nested calls at the 65th call parenthesis', () => {
    const calls = (n: number): string => `${'abs('.repeat(n)}1${')'.repeat(n)}`;
    expect(() => parse(calls(64))).not.toThrow();
    expect(parseError(calls(65))).toEqual([deep, 64 * 4 + 3, 64 * 4 + 4]);
    expect(parseError(calls(5000), UNLIMITED)).toEqual([deep, 64 * 4 + 3, 64 * 4 + 4]);
  });

  it('counts mixed nesting together', () => {
    expect(parseError(`${'-('.repeat(33)}1${')'.repeat(33)}`)).toEqual([deep, 64, 65]);
  });

  it('does not count long flat chains as nesting', () => {
    const sum = Array(400).fill('a').join(' + ');
    expect(sexpr(parse(sum)).startsWith('(+ (+ (+')).toBe(true);
    const groups = Array(200).fill('(a)').join('*');
    expect(() => parse(groups)).not.toThrow();
  });
});
