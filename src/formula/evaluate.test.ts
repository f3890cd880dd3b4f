import type { Expr } from './ast';
import { compile, evaluate } from './evaluate';
import { FormulaError } from './formula-error';
import { parse } from './parser';

type Vars = Record<string, number | null>;

/** Evaluates source both ways, checks they agree, and returns the value. */
function calc(source: string, vars: Vars = {}): number | null {
  const ast = parse(source);
  const map = new Map(Object.entries(vars));
  const interpreted = evaluate(ast, map);
  expect(compile(ast)(map)).toBe(interpreted);
  return interpreted;
}

describe('evaluate: precedence and associativity by value', () => {
  it.each([
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['10 - 4 - 3', 3],
    ['10 - (4 - 3)', 9],
    ['100 / 10 / 5', 2],
    ['100 / (10 / 5)', 50],
    ['-2^2', -4],
    ['(-2)^2', 4],
    ['2*-3', -6],
    ['2^-1', 0.5],
    ['2^3^2', 512],
    ['(2^3)^2', 64],
    ['-2 * 3 ^ 2', -18],
    ['--3', 3],
    ['1 + 2 < 4', 1],
    ['3 > 2 > 1', 0],
    ['1 < 2 == 1', 1],
    ['2 <= 2', 1],
    ['2 >= 3', 0],
    ['2 == 2.0', 1],
    ['2 != 2', 0],
    ['0.1 + 0.2 == 0.3', 0],
  ])('%s = %p', (source, expected) => {
    expect(calc(source)).toBe(expected);
  });

  it('evaluates the ROI examples', () => {
    const vars = { leads: 10, lead_value: 50, opportunities: 2, opportunity_value: 400 };
    expect(calc('leads * lead_value + opportunities * opportunity_value', vars)).toBe(1300);
    expect(calc('hours_invested * hourly_rate + ad_spend', { hours_invested: 3, hourly_rate: 80, ad_spend: 60 })).toBe(300);
  });
});

describe('evaluate: null semantics', () => {
  it.each([
    ['x / 0', { x: 1 }],
    ['0 / 0', {}],
    ['-1 / (a - a)', { a: 3 }],
    ['log(-1)', {}],
    ['log(0)', {}],
    ['sqrt(-4)', {}],
    ['10 ^ 400', {}],
    ['0 ^ -1', {}],
    ['(-8) ^ (1 / 3)', {}],
    ['x * x', { x: 1e200 }],
    ['x + 1', { x: null }],
    ['1 - x', { x: null }],
    ['-x', { x: null }],
    ['x < 1', { x: null }],
    ['x == x', { x: null }],
    ['max(1, x)', { x: null }],
    ['round(1.5, d)', { d: null }],
    ['round(1.5, d)', { d: 12 }],
    ['if(x, 1, 2)', { x: null }],
    ['x + 1', { x: NaN }],
    ['x', { x: Infinity }],
  ])('%s with %j is null', (source, vars) => {
    expect(calc(source, vars as Vars)).toBeNull();
  });

  it('keeps ordinary values', () => {
    expect(calc('sqrt(16)')).toBe(4);
    expect(calc('log(1)')).toBe(0);
    expect(calc('x / 4', { x: 2 })).toBe(0.5);
    expect(calc('round(x, 2)', { x: 2.345 })).toBe(2.35);
  });

  it('if picks a branch by cond != 0 and ignores the other, even if it would be null', () => {
    expect(calc('if(x > 1, 10, 20)', { x: 2 })).toBe(10);
    expect(calc('if(x > 1, 10, 20)', { x: 0 })).toBe(20);
    expect(calc('if(1, 2, 1 / 0)')).toBe(2);
    expect(calc('if(0, 1 / 0, 3)')).toBe(3);
    expect(calc('if(1, y, 3)', { y: null })).toBeNull();
  });
});

describe('evaluate: missing variables', () => {
  const expectMissing = (source: string, vars: Vars, start: number, end: number): void => {
    const ast = parse(source);
    const map = new Map(Object.entries(vars));
    for (const run of [() => evaluate(ast, map), () => compile(ast)(map)]) {
      expect(run).toThrow(FormulaError);
      expect(run).toThrow(expect.objectContaining({ message: "missing variable 'leads'", start, end }));
    }
  };

  it('throws FormulaError at the identifier', () => {
    expectMissing('2 * leads', {}, 4, 9);
    expectMissing('x + leads', { x: 1 }, 4, 9);
  });

  it('throws even when another operand is null', () => {
    expectMissing('x * leads', { x: null }, 4, 9);
    expectMissing('max(x, leads)', { x: null }, 7, 12);
  });

  it('does not look at the branch if() skips', () => {
    expect(calc('if(1, 2, leads)')).toBe(2);
  });
});

describe('compile', () => {
  it('builds once and runs with many variable sets', () => {
    const run = compile(parse('if(a >= b, a - b, round(b / a, 2))'));
    expect(run(new Map([['a', 5], ['b', 3]]))).toBe(2);
    expect(run(new Map([['a', 3], ['b', 5]]))).toBe(1.67);
    expect(run(new Map([['a', 0], ['b', 5]]))).toBeNull();
  });

  it('checks calls up front, while evaluate only checks them when reached', () => {
    const ast: Expr = { kind: 'Call', name: 'nope', args: [], start: 0, end: 6 };
    expect(() => compile(ast)).toThrow("unknown function 'nope'");
    expect(() => evaluate(ast, new Map())).toThrow("unknown function 'nope'");
  });

  it('rejects operators and node kinds that do not exist', () => {
    const one: Expr = { kind: 'Number', value: 1, start: 0, end: 1 };
    const badOp = { kind: 'Binary', op: '%', left: one, right: one, start: 0, end: 3 } as unknown as Expr;
    const badKind = { kind: 'String', start: 0, end: 1 } as unknown as Expr;
    for (const ast of [badOp, badKind]) {
      expect(() => evaluate(ast, new Map())).toThrow(FormulaError);
      expect(() => compile(ast)).toThrow(FormulaError);
    }
  });

  it('never uses eval or the Function constructor', () => {
    const evalSpy = jest.spyOn(globalThis, 'eval');
    const originalFunction = globalThis.Function;
    const functionSpy = jest.fn();
    globalThis.Function = functionSpy as unknown as FunctionConstructor;
    try {
      expect(compile(parse('a * 2 + max(b, 1)'))(new Map([['a', 1], ['b', 5]]))).toBe(7);
    } finally {
      globalThis.Function = originalFunction;
    }
    expect(evalSpy).not.toHaveBeenCalled();
    expect(functionSpy).not.toHaveBeenCalled();
    evalSpy.mockRestore();
  });
});
