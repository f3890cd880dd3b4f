import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// RFC 3339 date-time: a date, 'T', a time with optional fraction, and 'Z' or an offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** The instants PostgreSQL and every client can hold: years 0001 to 9999, in UTC. */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
}

/** Parses an RFC 3339 date-time (a real date, with an offset); GraphQLError otherwise. */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    throw new GraphQLError(`DateTime must be an RFC 3339 date-time string such as 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date`);
  // Date.parse rolls 2026-02-31 over to March: check the day against the month's length.
  const y = Number(value.slice(0, 4));
  const m = Number(value.slice(5, 7));
  const d = Number(value.slice(8, 10));
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date`);
  if (ms < EARLIEST || ms > LATEST) throw new GraphQLError(`DateTime ${JSON.stringify(value)} is out of range: years 0001 to 9999 (UTC)`);
  return new Date(ms);
}

/**
 * `DateTime`: an RFC 3339 date-time string, always answered in UTC (`…Z`). A small scalar of our
 * own: ingest parses thousands of these per batch, and a general-purpose one costs far more.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An RFC 3339 date-time string, e.g. 2026-01-31T12:00:00Z; answered in UTC.',
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { nodes: ast });
    return parseDateTime(ast.value);
  },
});
