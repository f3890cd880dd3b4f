import { epochMs, type ColumnMap } from '../../platform/sql/projection.js';
import type { JsonNodeSource } from '../../platform/sql/json-read.js';

/** How each Organization field is read from a row of `organizations o`. */
export const ORGANIZATION_FIELDS: ColumnMap = {
  id: { sql: 'o.id' },
  name: { sql: 'o.name' },
  slug: { sql: 'o.slug' },
  timezone: { sql: 'o.timezone' },
  createdAt: { sql: epochMs('o.created_at'), time: true },
};

/** Organizations for the compiled read (platform/sql/json-read.ts). */
export const ORGANIZATION_SOURCE: JsonNodeSource = { table: 'organizations', alias: 'o', columns: ORGANIZATION_FIELDS };
