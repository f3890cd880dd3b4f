/** Where a statement built in pieces puts a value: a placeholder (SqlParams) or the value itself (SqlLiterals). */
export interface SqlValues {
  /** The SQL text standing for `value`, with a cast when given (`$3::uuid`, `'…'::uuid`). */
  add(value: unknown, cast?: string): string;
}

/**
 * Positional parameters of an SQL statement built in pieces: `add` returns the next `$n`
 * placeholder. The one way the code numbers placeholders; start it with the values that `$1`,
 * `$2`… of a fixed prefix of the statement stand for.
 */
export class SqlParams implements SqlValues {
  readonly values: unknown[];

  constructor(...first: unknown[]) {
    this.values = first;
  }

  /** Appends a value and returns its placeholder, with a cast when given (`$3::uuid`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }

  /** The values added so far, for a second statement that uses only the placeholders made until now. */
  snapshot(): unknown[] {
    return [...this.values];
  }
}

/**
 * Values written into the statement as literals, for a statement sent without parameters (the
 * simple protocol, several statements in one round trip). Only safe integers and strings are
 * accepted; strings are quoted with their quotes doubled, and strings holding a backslash (whose
 * meaning depends on standard_conforming_strings) or NUL are refused like anything else.
 */
export class SqlLiterals implements SqlValues {
  add(value: unknown, cast?: string): string {
    let text: string;
    if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value);
    else if (typeof value === 'string' && !/[\\\u0000]/.test(value)) text = `'${value.replace(/'/g, "''")}'`;
    else throw new Error(`no SQL literal for ${typeof value}`);
    return cast ? `${text}::${cast}` : text;
  }
}
