import { Kind } from 'graphql';
import { DateTimeScalar } from './date-time';

describe('DateTime', () => {
  it('parses RFC 3339 with Z or an offset, to the same instant', () => {
    expect(DateTimeScalar.parseValue('2026-01-31T12:00:00Z')).toEqual(new Date(Date.UTC(2026, 0, 31, 12)));
    expect(DateTimeScalar.parseValue('2026-01-31T13:30:00.250+01:30')).toEqual(new Date(Date.UTC(2026, 0, 31, 12, 0, 0, 250)));
  });

  it.each(['2026-01-31', '2026-01-31T12:00:00', 'yesterday', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', 1700000000])(
    'refuses %p',
    (value) => {
      expect(() => DateTimeScalar.parseValue(value)).toThrow(/DateTime/);
    },
  );

  it('answers in UTC and parses literals', () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 0, 1)))).toBe('2026-01-01T00:00:00.000Z');
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2026-01-01T00:00:00Z' }, {})).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '1' }, {})).toThrow(/string/);
    expect(() => DateTimeScalar.serialize(new Date(NaN))).toThrow(/invalid/);
  });
});

describe('DateTime calendar', () => {
  it('knows leap years', () => {
    expect(DateTimeScalar.parseValue('2024-02-29T00:00:00Z')).toEqual(new Date(Date.UTC(2024, 1, 29)));
    expect(() => DateTimeScalar.parseValue('2100-02-29T00:00:00Z')).toThrow(/not a real date/);
    expect(DateTimeScalar.parseValue('2000-02-29T00:00:00Z')).toEqual(new Date(Date.UTC(2000, 1, 29)));
  });
});
