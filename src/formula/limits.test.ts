import { parse } from './parser';
import { MAX_DEPTH, MAX_FORMULA_LENGTH, MAX_TOKENS } from './limits';

describe('limits', () => {
  it('has the documented values', () => {
    expect([MAX_FORMULA_LENGTH, MAX_DEPTH, MAX_TOKENS]).toEqual([2000, 64, 1000]);
  });

  it('accepts a formula of exactly MAX_FORMULA_LENGTH characters', () => {
    const source = `1${' '.repeat(MAX_FORMULA_LENGTH - 1)}`;
    expect(parse(source)).toMatchObject({ kind: 'Number', value: 1 });
  });

  it('accepts exactly MAX_DEPTH nested parentheses and rejects one more', () => {
    const nest = (n: number): string => `${'('.repeat(n)}1${')'.repeat(n)}`;
    expect(parse(nest(MAX_DEPTH))).toMatchObject({ kind: 'Number', value: 1 });
    expect(() => parse(nest(MAX_DEPTH + 1))).toThrow('formula is nested deeper than 64 levels');
  });

  it('can be overridden per call', () => {
    expect(() => parse('1 + 2', { maxLength: 3 })).toThrow('formula is longer than 3 characters');
    expect(() => parse('1 + 2', { maxTokens: 2 })).toThrow('formula has more than 2 tokens');
    expect(() => parse('((1))', { maxDepth: 1 })).toThrow('formula is nested deeper than 1 levels');
  });
});
