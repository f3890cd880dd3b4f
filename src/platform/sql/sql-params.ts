/** Positional parameters of an SQL statement built in pieces: `add` returns the next `$n` placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Appends a value and returns its placeholder, with a cast when given (`$3::uuid`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}
