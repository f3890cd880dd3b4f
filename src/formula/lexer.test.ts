import { FormulaError } from './formula-error';
import { tokenize, type Token } from './lexer';

/** The thrown FormulaError as [message, start, end]. */
function lexError(source: string, limits = {}): [string, number, number] {
  try {
    tokenize(source, limits);
  } catch (error) {
    if (error instanceof FormulaError) return [error.message, error.start, error.end];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

const kinds = (tokens: Token[]): string[] => tokens.map((token) => `${token.kind}:${token.text}`);

describe('tokenize', () => {
  it.each([
    ['12', 12],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1.', 1],
    ['1e3', 1000],
    ['2.5E-4', 0.00025],
    ['1e+21', 1e21],
    ['5e-324', 5e-324],
    ['007', 7],
  ])('reads the number %p as %p', (source, value) => {
    const [token, eof] = tokenize(source);
    expect(token).toEqual({ kind: 'number', text: source, value, start: 0, end: source.length });
    expect(eof).toEqual({ kind: 'eof', text: '', start: source.length, end: source.length });
  });

  it('reads lowercase identifiers with digits and underscores', () => {
    expect(kinds(tokenize('lead_value _x a1'))).toEqual([
      'identifier:lead_value',
      'identifier:_x',
      'identifier:a1',
      'eof:',
    ]);
  });

  it('reads every operator, longest match first', () => {
    const source = '+ - * / ^ ( ) , < <= > >= == !=';
    const texts = tokenize(source).map((token) => token.text);
    expect(texts).toEqual([...source.split(' '), '']);
    expect(kinds(tokenize('a<=b'))).toEqual(['identifier:a', 'punctuator:<=', 'identifier:b', 'eof:']);
  });

  it('skips whitespace and records offsets', () => {
    const tokens = tokenize(' \tleads *\n\r 2 ');
    expect(tokens.map((token) => [token.start, token.end])).toEqual([
      [2, 7],
      [8, 9],
      [12, 13],
      [14, 14],
    ]);
  });

  it('gives just eof for an empty formula', () => {
    expect(tokenize('')).toEqual([{ kind: 'eof', text: '', start: 0, end: 0 }]);
  });

  it('rejects uppercase letters at their position', () => {
    expect(lexError('leads * Lead_value')).toEqual(["unexpected character 'L'", 8, 9]);
    expect(lexError('leadS')).toEqual(["unexpected character 'S'", 4, 5]);
  });

  it('rejects SQL-ish input at the semicolon and quotes at the quote', () => {
    expect(lexError('1; DROP TABLE')).toEqual(["unexpected character ';'", 1, 2]);
    expect(lexError("a + 'x'")).toEqual(["unexpected character '''", 4, 5]);
    expect(lexError('"x"')).toEqual(['unexpected character \'"\'', 0, 1]);
  });

  it('rejects lone = and ! and shows invisible characters by code point', () => {
    expect(lexError('a = b')).toEqual(["unexpected character '='", 2, 3]);
    expect(lexError('!a')).toEqual(["unexpected character '!'", 0, 1]);
    expect(lexError('a\u00a0b')).toEqual(['unexpected character U+00A0', 1, 2]);
    expect(lexError('a\u0000')).toEqual(['unexpected character U+0000', 1, 2]);
  });

  it('reports a character outside the BMP as one character spanning two code units', () => {
    expect(lexError('1 + \u{1F600}')).toEqual(["unexpected character '\u{1F600}'", 4, 6]);
  });

  it('rejects letters or dots glued onto a number', () => {
    expect(lexError('2x + 1')).toEqual(["invalid number '2x'", 0, 2]);
    expect(lexError('3 * 1e')).toEqual(["invalid number '1e'", 4, 6]);
    expect(lexError('1.2.3')).toEqual(["invalid number '1.2.3'", 0, 5]);
  });

  it('rejects numbers too large for a double', () => {
    expect(lexError('1 + 1e400')).toEqual(["number '1e400' is too large", 4, 9]);
  });

  it('rejects a lone dot', () => {
    expect(lexError('a . b')).toEqual(["unexpected character '.'", 2, 3]);
  });

  it('rejects formulas over 2000 characters, pointing past the limit', () => {
    expect(tokenize('1'.padEnd(2000, ' '))).toHaveLength(2);
    expect(lexError('1'.padEnd(2001, ' '))).toEqual(['formula is longer than 2000 characters', 2000, 2001]);
    expect(lexError('1'.repeat(2500))).toEqual(['formula is longer than 2000 characters', 2000, 2500]);
  });

  it('checks the length before looking at any character', () => {
    expect(lexError(';'.repeat(2001))[0]).toBe('formula is longer than 2000 characters');
  });

  it('caps the number of tokens at the first token over the limit', () => {
    const source = Array.from({ length: 501 }, () => '1').join('+'); // 1001 tokens
    expect(lexError(source)).toEqual(['formula has more than 1000 tokens', 1000, source.length]);
    expect(tokenize(source.slice(0, -2))).toHaveLength(1000); // 999 tokens + eof
  });
});
