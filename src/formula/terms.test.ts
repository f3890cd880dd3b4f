import { evaluate } from './evaluate';
import { parse } from './parser';
import { topLevelTerms } from './terms';

const summary = (source: string): Array<[number, string]> =>
  topLevelTerms(parse(source)).map((term) => [term.sign, term.text]);

describe('topLevelTerms', () => {
  it('splits at top-level + and -', () => {
    expect(summary('leads * lead_value + opportunities * opportunity_value - refunds')).toEqual([
      [1, 'leads * lead_value'],
      [1, 'opportunities * opportunity_value'],
      [-1, 'refunds'],
    ]);
  });

  it('gives a single term when there is no top-level + or -', () => {
    expect(summary('hours * (rate + bonus)')).toEqual([[1, 'hours * (rate + bonus)']]);
    expect(summary('max(a + b, c - d)')).toEqual([[1, 'max(a + b, c - d)']]);
    expect(summary('a + b < c')).toEqual([[1, 'a + b < c']]);
  });

  it('keeps parenthesised sums whole', () => {
    expect(summary('a - (b + c) + (d - e)')).toEqual([
      [1, 'a'],
      [-1, 'b + c'],
      [1, 'd - e'],
    ]);
  });

  it('folds unary minus into the sign', () => {
    expect(summary('-a + b')).toEqual([
      [-1, 'a'],
      [1, 'b'],
    ]);
    expect(summary('a - -b + -(c * d)')).toEqual([
      [1, 'a'],
      [1, 'b'],
      [-1, 'c * d'],
    ]);
  });

  it('returns each term ast, whose signed values add up to the total', () => {
    const source = '-a * 2 + b - (c - d) - -e';
    const vars = new Map(Object.entries({ a: 3, b: 10, c: 7, d: 2, e: 4 }));
    const terms = topLevelTerms(parse(source));
    const sum = terms.reduce((total, term) => total + term.sign * (evaluate(term.ast, vars) as number), 0);
    expect(sum).toBe(evaluate(parse(source), vars));
    expect(terms.map((term) => term.text)).toEqual(['-a * 2', 'b', 'c - d', 'e']); // (-a) * 2 is a product
    expect(terms.map((term) => term.sign)).toEqual([1, 1, -1, 1]);
  });
});
