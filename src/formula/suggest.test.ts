import { levenshtein, suggest, suggestionThreshold, withSuggestion } from './suggest';

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['leads', 'leads', 0],
    ['leds', 'leads', 1],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
  ])('distance(%p, %p) = %p', (a, b, expected) => {
    expect(levenshtein(a, b)).toBe(expected);
    expect(levenshtein(b, a)).toBe(expected);
  });
});

describe('suggest', () => {
  const known = ['leads', 'lead_value', 'opportunities', 'opportunity_value'];

  it('returns the nearest candidate', () => {
    expect(suggest('leds', known)).toBe('leads');
    expect(suggest('oportunities', known)).toBe('opportunities');
  });

  it('prefers the first candidate on ties', () => {
    expect(suggest('ab', ['ax', 'ay'])).toBe('ax');
  });

  it('allows max(2, floor(length / 3)) edits and no more', () => {
    expect(suggestionThreshold('abc')).toBe(2);
    expect(suggestionThreshold('abcdefghi')).toBe(3);
    expect(suggest('abcdefxyz', ['abcdef___'])).toBe('abcdef___'); // 3 edits, 9 letters
    expect(suggest('abcdexyzw', ['abcde____'])).toBeUndefined(); // 4 edits
    expect(suggest('xyz', known)).toBeUndefined();
  });

  it('withSuggestion appends a hint only when there is one', () => {
    expect(withSuggestion("unknown identifier 'leds'", 'leds', known)).toBe(
      "unknown identifier 'leds', did you mean 'leads'?",
    );
    expect(withSuggestion("unknown identifier 'xyz'", 'xyz', known)).toBe("unknown identifier 'xyz'");
  });
});
