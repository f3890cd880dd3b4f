import { check } from '../../platform/errors.js';

/** PostgreSQL text cannot hold U+0000; a value with one would fail in SQL, so it is bad input. */
function checkNoNul(text: string, field: string): void {
  check(!text.includes('\u0000'), field, `${field} must not contain the character U+0000`);
}

/** A required text field, trimmed, 1..max characters. */
export function requiredText(value: string, field: string, max: number): string {
  const text = value.trim();
  check(text.length > 0 && text.length <= max, field, `${field} must be 1 to ${max} characters`);
  checkNoNul(text, field);
  return text;
}

/** An optional text field, trimmed (empty becomes null), at most `max` characters. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = value?.trim() || null;
  check(text === null || text.length <= max, field, `${field} must be at most ${max} characters`);
  if (text !== null) checkNoNul(text, field);
  return text;
}
