const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed id; anything else is treated like an id that does not exist. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
