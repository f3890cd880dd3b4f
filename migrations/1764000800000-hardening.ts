import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Values callers could store and then never read again. Metric values within ±1e15 (CONTRACT.md, "Limits every caller can rely on"). Points stored
 * before the limit (up to ±1.7e308) made sum() overflow for good; they are brought to the nearest
 * bound, then a constraint keeps every stored value in range, so no aggregate can overflow.
 * Organizations whose time zone PostgreSQL does not know go back to UTC.
 */
export class Hardening1764000800000 implements MigrationInterface {
  name = 'Hardening1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE metric_points SET value = CASE WHEN value < 0 THEN -1e15 ELSE 1e15 END
                    WHERE NOT (value BETWEEN -1e15 AND 1e15)`);
    await q.query(`ALTER TABLE metric_points ADD CONSTRAINT metric_points_value_range CHECK (value BETWEEN -1e15 AND 1e15)`);
    // A time zone Node knew and PostgreSQL did not (US/Pacific-New) broke every series of its tenant.
    await q.query(`UPDATE organizations SET timezone = 'UTC' WHERE timezone NOT IN (SELECT name FROM pg_timezone_names)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE metric_points DROP CONSTRAINT metric_points_value_range`);
  }
}
