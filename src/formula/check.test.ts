import { checkFormula } from './check';

const KNOWN = ['leads', 'lead_value', 'opportunities', 'opportunity_value', 'refunds'];

/** The errors as [message, start, end] triples. */
function errorsOf(source: string, known: Iterable<string> = KNOWN): Array<[string, number, number]> {
  return checkFormula(source, known).errors.map((error) => [error.message, error.start, error.end]);
}

describe('checkFormula', () => {
  it('accepts a formula using only known identifiers', () => {
    const result = checkFormula('leads * lead_value + opportunities * opportunity_value', KNOWN);
    expect(result.errors).toEqual([]);
    expect(result.ast).toMatchObject({ kind: 'Binary', op: '+' });
    expect(result.identifiers).toEqual(['leads', 'lead_value', 'opportunities', 'opportunity_value']);
  });

  it('suggests the nearest known identifier', () => {
    expect(errorsOf('leds * lead_value')).toEqual([["unknown identifier 'leds', did you mean 'leads'?", 0, 4]]);
    expect(errorsOf('leads * lead_valeu')).toEqual([
      ["unknown identifier 'lead_valeu', did you mean 'lead_value'?", 8, 18],
    ]);
  });

  it('gives no suggestion when nothing is near', () => {
    expect(errorsOf('leads + xyz')).toEqual([["unknown identifier 'xyz'", 8, 11]]);
    expect(errorsOf('x', [])).toEqual([["unknown identifier 'x'", 0, 1]]);
  });

  it('reports every occurrence of every unknown identifier, in source order', () => {
    expect(errorsOf('foo + leds * foo')).toEqual([
      ["unknown identifier 'foo'", 0, 3],
      ["unknown identifier 'leds', did you mean 'leads'?", 6, 10],
      ["unknown identifier 'foo'", 13, 16],
    ]);
  });

  it('lists distinct identifiers in order of first appearance, not function names', () => {
    const result = checkFormula('refunds + max(leads, refunds) * leads - x', KNOWN);
    expect(result.identifiers).toEqual(['refunds', 'leads', 'x']);
    expect(result.errors).toHaveLength(1);
    expect(result.ast).not.toBeNull();
  });

  it('returns only the first syntax error, with no tree and no identifiers', () => {
    const result = checkFormula('leds + * (', KNOWN);
    expect(result.ast).toBeNull();
    expect(result.identifiers).toEqual([]);
    expect(result.errors.map((error) => [error.message, error.start, error.end])).toEqual([
      ["expected an expression but found '*'", 7, 8],
    ]);
  });

  it('reports length, character and function errors as syntax errors', () => {
    expect(errorsOf('1'.repeat(2001))).toEqual([['formula is longer than 2000 characters', 2000, 2001]]);
    expect(errorsOf('leads; DROP TABLE x')).toEqual([["unexpected character ';'", 5, 6]]);
    expect(errorsOf('constructor(leads)')).toEqual([["unknown function 'constructor'", 0, 11]]);
  });

  it('accepts any iterable of known names', () => {
    function* names(): Generator<string> {
      yield 'a';
      yield 'b';
    }
    expect(checkFormula('a + b', names()).errors).toEqual([]);
    expect(checkFormula('a + b', new Set(['a'])).errors).toHaveLength(1);
  });

  it('treats names like __proto__ as ordinary identifiers', () => {
    expect(errorsOf('__proto__ + constructor', ['constructor'])).toEqual([["unknown identifier '__proto__'", 0, 9]]);
  });
});
