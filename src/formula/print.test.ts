import { stripPositions, type Expr } from './ast';
import { FormulaError } from './formula-error';
import { parse } from './parser';
import { printFormula } from './print';

const num = (value: number): Expr => ({ kind: 'Number', value, start: 0, end: 0 });
const id = (name: string): Expr => ({ kind: 'Identifier', name, start: 0, end: 0 });
const neg = (operand: Expr): Expr => ({ kind: 'Unary', op: '-', operand, start: 0, end: 0 });
const bin = (op: '+' | '-' | '*' | '/' | '^' | '<', left: Expr, right: Expr): Expr => ({
  kind: 'Binary',
  op,
  left,
  right,
  start: 0,
  end: 0,
});

/** Asserts that parsing the printed text gives back the same tree. */
function expectRoundTrip(ast: Expr): void {
  expect(stripPositions(parse(printFormula(ast)))).toEqual(stripPositions(ast));
}

describe('printFormula', () => {
  it.each([
    ['leads*lead_value+opportunities*opportunity_value', 'leads * lead_value + opportunities * opportunity_value'],
    ['((a + b))', 'a + b'],
    ['(a - b) - c', 'a - b - c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['a - (b + c)', 'a - (b + c)'],
    ['a + (b + c)', 'a + (b + c)'],
    ['a / (b / c)', 'a / (b / c)'],
    ['a / (b * c)', 'a / (b * c)'],
    ['(a / b) * c', 'a / b * c'],
    ['(a + b) * c', '(a + b) * c'],
    ['a * (b + c)', 'a * (b + c)'],
    ['(a ^ b) ^ c', '(a^b)^c'],
    ['a ^ (b ^ c)', 'a^b^c'],
    ['(-2) ^ 2', '(-2)^2'],
    ['-(2 ^ 2)', '-2^2'],
    ['2 ^ (-1)', '2^-1'],
    ['2 ^ -(3 ^ 2)', '2^-3^2'],
    ['2 * (-3)', '2 * -3'],
    ['(-a) * b', '-a * b'],
    ['-(a * b)', '-(a * b)'],
    ['-(a + b)', '-(a + b)'],
    ['-(-a)', '--a'],
    ['a - (-b)', 'a - -b'],
    ['(a * b) ^ 2', '(a * b)^2'],
    ['2 ^ (a + b)', '2^(a + b)'],
    ['(a < b) + 1', '(a < b) + 1'],
    ['a < (b < c)', 'a < (b < c)'],
    ['(a < b) < c', 'a < b < c'],
    ['a == (b != c)', 'a == (b != c)'],
    ['max(a + b, -c, (d))', 'max(a + b, -c, d)'],
    ['-min(a, b) ^ 2', '-min(a, b)^2'],
    ['1.50', '1.5'],
    ['.5', '0.5'],
    ['1e21', '1e+21'],
    ['2.5E-4', '0.00025'],
    ['1e-7', '1e-7'],
  ])('%s prints as %s', (source, expected) => {
    const ast = parse(source);
    expect(printFormula(ast)).toBe(expected);
    expectRoundTrip(ast);
  });

  it('prints hand-built trees that the parser would produce', () => {
    expect(printFormula(bin('-', id('a'), bin('-', id('b'), id('c'))))).toBe('a - (b - c)');
    expect(printFormula(bin('^', neg(num(2)), num(2)))).toBe('(-2)^2');
    expect(printFormula(bin('^', num(2), bin('^', num(3), num(2))))).toBe('2^3^2');
    expect(printFormula(bin('<', bin('+', num(1), num(2)), num(3)))).toBe('1 + 2 < 3');
    expect(printFormula(num(1e21))).toBe('1e+21');
    expect(printFormula(num(Number.MAX_VALUE))).toBe('1.7976931348623157e+308');
    for (const ast of [bin('^', neg(num(2)), num(2)), num(1e21), num(Number.MAX_VALUE), num(5e-324)]) {
      expectRoundTrip(ast);
    }
  });

  it('prints a negative literal like a negation', () => {
    expect(printFormula(num(-5))).toBe('-5');
    expect(printFormula(bin('^', num(-5), num(2)))).toBe('(-5)^2');
    expect(printFormula(bin('-', num(1), num(-5)))).toBe('1 - -5');
  });

  it('refuses non-finite numbers, which the language cannot spell', () => {
    expect(() => printFormula(num(Infinity))).toThrow(FormulaError);
    expect(() => printFormula(num(NaN))).toThrow('cannot print the number NaN');
  });
});
