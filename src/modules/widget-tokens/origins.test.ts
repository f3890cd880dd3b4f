import { normalizeOrigin } from './origins';

describe('normalizeOrigin', () => {
  it('keeps scheme, host and port as browsers send them', () => {
    expect(normalizeOrigin('https://www.example.com', 0)).toBe('https://www.example.com');
    expect(normalizeOrigin('https://WWW.Example.com/', 0)).toBe('https://www.example.com');
    expect(normalizeOrigin('http://127.0.0.1:8080', 0)).toBe('http://127.0.0.1:8080');
    expect(normalizeOrigin('https://example.com:443', 0)).toBe('https://example.com');
  });

  it.each(['*', 'null', 'example.com', 'ftp://example.com', 'https://example.com/page', 'https://a@example.com', 'https://example.com?x=1', ''])(
    'refuses %j with BAD_USER_INPUT naming its position',
    (value) => {
      expect(() => normalizeOrigin(value, 3)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', index: 3 }) }));
    },
  );
});
