import type { FormattedExecutionResult } from 'graphql';

/**
 * JSON text that goes into a response as it is (the compiled read's `data`, built by PostgreSQL),
 * instead of being parsed into objects and serialised again. `stringifyResult` writes it; any
 * other serialiser sees the parsed value through `toJSON`.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

const isWhitespace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * PostgreSQL's JSON text (json_build_object writes `"a" : 1, "b" : 2`, json_agg `[1, \n 2]`) as
 * `JSON.stringify(JSON.parse(text))` writes it, without building the objects: whitespace outside
 * strings is dropped, strings are kept (PostgreSQL escapes exactly the characters JSON.stringify
 * escapes, the same way), and a number is kept when it is a short integer, else written as
 * JavaScript writes the double it parses to (`1e-05` -> `0.00001`, `-0` -> `0`, `1.50` -> `1.5`).
 * `text` must be valid JSON (it comes from PostgreSQL's json output).
 */
export function compactJson(text: string): string {
  let out = '';
  let copied = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote (a backslash escapes the next character).
      i++;
      for (let d = text.charCodeAt(i); i < n && d !== 34; d = text.charCodeAt(i)) i += d === 92 ? 2 : 1;
      i++;
    } else if (isWhitespace(c)) {
      out += text.slice(copied, i);
      while (i < n && isWhitespace(text.charCodeAt(i))) i++;
      copied = i;
    } else if (c === 45 || isDigit(c)) {
      let j = i + 1;
      let plain = true;
      for (let d = text.charCodeAt(j); j < n && (isDigit(d) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45); d = text.charCodeAt(++j)) {
        if (!isDigit(d)) plain = false;
      }
      if (!plain || j - i > 15 || (c === 45 && text.charCodeAt(i + 1) === 48)) {
        out += text.slice(copied, i) + JSON.stringify(Number(text.slice(i, j)));
        copied = j;
      }
      i = j;
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
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
