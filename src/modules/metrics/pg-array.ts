/**
 * PostgreSQL array literals built in one pass, for the 10,000-element arrays of an ingest batch
 * (pg's own serializer escapes and concatenates element by element).
 */

/** An array of values whose text never needs quoting: uuids, ISO times, finite numbers; null is NULL. */
export function plainArrayLiteral(values: ReadonlyArray<string | number | null>): string {
  const parts = new Array<string | number>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = values[i] ?? 'NULL';
  return `{${parts.join(',')}}`;
}

const NEEDS_ESCAPE = /["\\]/;

/** An array of arbitrary text, each element quoted with `"` and `\` escaped; null is NULL. */
export function textArrayLiteral(values: ReadonlyArray<string | null>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null ? 'NULL' : `"${NEEDS_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `{${parts.join(',')}}`;
}
