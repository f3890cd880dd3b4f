import { FormulaError } from './formula-error';
import { MAX_FORMULA_LENGTH, MAX_TOKENS, type FormulaLimits } from './limits';

/** Operator and punctuation tokens. */
export type Punctuator = '+' | '-' | '*' | '/' | '^' | '(' | ')' | ',' | '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A lexical token; `eof` ends every token list, with start = end = source length. */
export type Token =
  | { readonly kind: 'number'; readonly text: string; readonly value: number; readonly start: number; readonly end: number }
  | { readonly kind: 'identifier' | 'punctuator' | 'eof'; readonly text: string; readonly start: number; readonly end: number };

// Sticky patterns, each tried at the current offset.
const WHITESPACE = /[ \t\r\n]+/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NUMBER_TAIL = /[A-Za-z0-9_.]+/y; // letters or dots glued onto a number, as in `2x` or `1e`
const IDENTIFIER = /[a-z_][a-z0-9_]*/y;
const PUNCTUATOR = /<=|>=|==|!=|[-+*/^(),<>]/y;

/** Matches a sticky pattern at `offset`, returning the matched text or null. */
function matchAt(pattern: RegExp, source: string, offset: number): string | null {
  pattern.lastIndex = offset;
  const match = pattern.exec(source);
  return match === null ? null : match[0];
}

/** Shows a character in a message: itself when printable, else its code point as U+XXXX. */
function showCharacter(char: string): string {
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char)) return `'${char}'`;
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Reads a number at `start`, rejecting glued letters (`2x`, `1e`) and values beyond ±1.8e308. */
function readNumber(source: string, start: number, text: string): Token {
  const end = start + text.length;
  const tail = matchAt(NUMBER_TAIL, source, end);
  if (tail !== null) {
    throw new FormulaError(`invalid number '${text}${tail}'`, start, end + tail.length);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new FormulaError(`number '${text}' is too large`, start, end);
  return { kind: 'number', text, value, start, end };
}

/** Reads the one token that starts at `start` (never whitespace or end of input). */
function readToken(source: string, start: number): Token {
  const number = matchAt(NUMBER, source, start);
  if (number !== null) return readNumber(source, start, number);
  const name = matchAt(IDENTIFIER, source, start);
  if (name !== null) return { kind: 'identifier', text: name, start, end: start + name.length };
  const punctuator = matchAt(PUNCTUATOR, source, start);
  if (punctuator !== null) return { kind: 'punctuator', text: punctuator, start, end: start + punctuator.length };
  const char = String.fromCodePoint(source.codePointAt(start)!);
  throw new FormulaError(`unexpected character ${showCharacter(char)}`, start, start + char.length);
}

/** Splits a formula into tokens ending with `eof`; throws FormulaError on bad input or limits. */
export function tokenize(source: string, limits: FormulaLimits = {}): Token[] {
  const maxLength = limits.maxLength ?? MAX_FORMULA_LENGTH;
  const maxTokens = limits.maxTokens ?? MAX_TOKENS;
  if (source.length > maxLength) {
    throw new FormulaError(`formula is longer than ${maxLength} characters`, maxLength, source.length);
  }
  const tokens: Token[] = [];
  let offset = 0;
  for (;;) {
    offset += matchAt(WHITESPACE, source, offset)?.length ?? 0;
    if (offset >= source.length) break;
    if (tokens.length >= maxTokens) {
      throw new FormulaError(`formula has more than ${maxTokens} tokens`, offset, source.length);
    }
    const token = readToken(source, offset);
    tokens.push(token);
    offset = token.end;
  }
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return tokens;
}
