import { plainArrayLiteral, textArrayLiteral } from './pg-array';

describe('PostgreSQL array literals', () => {
  it('writes plain values as they are and null as NULL', () => {
    expect(plainArrayLiteral([])).toBe('{}');
    expect(plainArrayLiteral([1.5, -2, 1e21, null])).toBe('{1.5,-2,1e+21,NULL}');
    expect(plainArrayLiteral(['2026-01-01T00:00:00.000Z', null])).toBe('{2026-01-01T00:00:00.000Z,NULL}');
  });

  it('quotes every text element and escapes quotes and backslashes', () => {
    expect(textArrayLiteral(['a', null, 'NULL', '', 'x,y', 'say "hi"', 'back\\slash', '{}'])).toBe(
      '{"a",NULL,"NULL","","x,y","say \\"hi\\"","back\\\\slash","{}"}',
    );
  });
});
