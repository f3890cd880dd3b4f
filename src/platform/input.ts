import { check } from './errors.js';

// Validation of common input shapes, each failing with BAD_USER_INPUT that names the field.

/** PostgreSQL text cannot hold U+0000; a value with one would fail in SQL, so it is bad input. */
function checkNoNul(text: string, field: string): void {
  check(!text.includes('\u0000'), field, `${field} must not contain the character U+0000`);
}

/** A required text field, trimmed, 1..max characters; BAD_USER_INPUT naming `field` otherwise. */
export function requiredText(value: string, field: string, max: number): string {
  const text = value.trim();
  check(text.length > 0 && text.length <= max, field, `${field} must be 1 to ${max} characters`);
  checkNoNul(text, field);
  return text;
}

/** An optional text field, trimmed; empty becomes null; at most `max` characters. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = value?.trim() ?? '';
  check(text.length <= max, field, `${field} must be at most ${max} characters`);
  checkNoNul(text, field);
  return text.length ? text : null;
}

/** A number in [min, max] or null. */
export function optionalRange(value: number | null | undefined, field: string, min: number, max: number): number | null {
  if (value === null || value === undefined) return null;
  check(Number.isFinite(value) && value >= min && value <= max, field, `${field} must be between ${min} and ${max}`);
  return value;
}

/** An http(s) URL or null. */
export function optionalUrl(value: string | null | undefined, field: string): string | null {
  const text = optionalText(value, field, 2000);
  if (text === null) return null;
  const ok = URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
  check(ok, field, `${field} must be an http or https URL`);
  return text;
}

/** Tags: trimmed, duplicates dropped, at most 50 of 1..50 characters each. */
export function tagList(value: string[] | null | undefined, field: string): string[] {
  const tags = [...new Set((value ?? []).map((t) => t.trim()))];
  check(tags.length <= 50, field, `${field} must hold at most 50 tags`);
  check(tags.every((t) => t.length > 0 && t.length <= 50), field, `${field} must each be 1 to 50 characters`);
  return tags;
}
