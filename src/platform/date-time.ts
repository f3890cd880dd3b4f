import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// RFC 3339 date-time: a date, 'T', a time with optional fraction, and 'Z' or an offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function parse(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    throw new GraphQLError(`DateTime must be an RFC 3339 date-time string such as 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date`);
  const date = new Date(ms);
  // Date.parse rolls 2026-02-31 over to March: compare the calendar date back.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) {
    throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date`);
  }
  return date;
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
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { nodes: ast });
    return parse(ast.value);
  },
});
