/** Longest formula source accepted, in UTF-16 code units. */
export const MAX_FORMULA_LENGTH = 2000;
/** Deepest nesting of parentheses, unary minus, call arguments and exponents. */
export const MAX_DEPTH = 64;
/** Most tokens in one formula (a second guard behind the length limit). */
export const MAX_TOKENS = 1000;

/** Overrides for the limits above (tests use them to reach the deeper guards). */
export interface FormulaLimits {
  readonly maxLength?: number;
  readonly maxTokens?: number;
  readonly maxDepth?: number;
}
