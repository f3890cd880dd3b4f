import type { FormattedExecutionResult } from 'graphql';

/**
 * JSON text that goes into a response as it is (the compiled read's `data`, written by PostgreSQL),
 * instead of being parsed into objects and serialised again. `stringifyResult` writes it; any
 * other serialiser sees the parsed value through `toJSON`.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** A number with an exponent where a JSON value starts (or, rarely, such text inside a string). */
const EXPONENT = /[:,[]-?\d+(?:\.\d+)?[eE]/;

/**
 * Compact JSON text from PostgreSQL (sql/json-read.ts writes it without whitespace, numbers as
 * float8 writes them and zero as 0) as `JSON.stringify(JSON.parse(text))` writes it. The two
 * write the same digits (both the shortest that round-trip) but PostgreSQL puts an exponent on
 * numbers under 1e-4 or from 1e15 (`1e-05`, JavaScript `0.00001`): a text that may hold one is
 * parsed and written again (rare; a string holding such text only costs that).
 */
export function asJavaScriptWritesIt(text: string): string {
  // float8 writes an exponent with its sign (`1e-05`, `1e+15`): a text without `e-` or `e+` holds
  // none, and that search (memchr-fast) costs far less than the regex over a large answer.
  if (!text.includes('e-') && !text.includes('e+')) return text;
  return EXPONENT.test(text) ? JSON.stringify(JSON.parse(text)) : text;
}

/**
 * Apollo's `stringifyResult`: its default (`JSON.stringify(value) + '\n'`), except that a `data`
 * held as RawJson is written in as it is, with the same key order (errors, data, extensions).
 */
export function stringifyResult(value: FormattedExecutionResult): string {
  if (!(value.data instanceof RawJson)) return `${JSON.stringify(value)}\n`;
  const parts: string[] = [];
  if (value.errors !== undefined) parts.push(`"errors":${JSON.stringify(value.errors)}`);
  parts.push(`"data":${value.data.text}`);
  if (value.extensions !== undefined) parts.push(`"extensions":${JSON.stringify(value.extensions)}`);
  return `{${parts.join(',')}}\n`;
}
