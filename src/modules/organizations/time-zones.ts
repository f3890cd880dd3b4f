import { isTimeZone } from './slug.js';

/** Something that runs SQL: a DataSource, an EntityManager or a TenantDb. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

let postgresZones: Promise<ReadonlySet<string>> | undefined;

/** PostgreSQL's own zone names, read once per process (the list changes only with PostgreSQL itself). */
function zonesOf(db: Queryable): Promise<ReadonlySet<string>> {
  postgresZones ??= (db.query('SELECT name FROM pg_timezone_names') as Promise<Array<{ name: string }>>).then(
    (rows) => new Set(rows.map((r) => r.name)),
    (error: unknown) => {
      postgresZones = undefined; // try again next time
      throw error;
    },
  );
  return postgresZones;
}

/**
 * True when both PostgreSQL (which buckets series in that zone) and this runtime know `tz`.
 * Node's list is not PostgreSQL's: `US/Pacific-New` is in one and not the other.
 */
export async function isKnownTimeZone(db: Queryable, tz: string): Promise<boolean> {
  return isTimeZone(tz) && (await zonesOf(db)).has(tz);
}
