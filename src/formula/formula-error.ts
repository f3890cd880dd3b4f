/** A position range in a formula's source: 0-based, start included, end excluded. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** An error in a formula: a message plus the offsets of the offending text in the source. */
export class FormulaError extends Error {
  override readonly name = 'FormulaError';
  readonly start: number;
  readonly end: number;

  constructor(message: string, start: number, end: number) {
    super(message);
    this.start = start;
    this.end = end;
  }

  /** Makes an error that points at a token or node. */
  static at(message: string, span: Span): FormulaError {
    return new FormulaError(message, span.start, span.end);
  }
}
