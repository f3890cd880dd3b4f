/**
 * Positional parameters of an SQL statement built in pieces: `add` returns the next `$n`
 * placeholder. The one way the code numbers placeholders; start it with the values that `$1`,
 * `$2`… of a fixed prefix of the statement stand for.
 */
export class SqlParams {
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
