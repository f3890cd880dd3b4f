import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { isUuid } from '../../db/ids.js';
import type { TenantDb } from '../../db/tenant.js';
import type { PubSub } from '../../platform/pubsub/pubsub.js';
import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import { METRIC_RECORDED, METRICS_WRITTEN, type MetricPointEvent, type MetricRecordedEvent } from '../metrics/metric.events.js';
import { BUILT_IN_BY_KEY } from '../metrics/built-in-metrics.js';
import { MAX_FUTURE_MS, MAX_IDEMPOTENCY_KEY_LENGTH } from '../metrics/ingest.service.js';
import {
  asTime,
  ERRORS_OF_PROBLEMS,
  isDateTime,
  isNumber,
  isUuidSql,
  shapeProblems,
  stagedRows,
  type BulkWriter,
  type ChunkResult,
  type ImportKindHandler,
  type Publish,
} from './import-kind.js';
import type { RowFields } from './import-parsers.js';
import type { ImportError } from './import.types.js';

export const METRIC_FIELDS: RowFields = { allowed: ['metricKey', 'value', 'at', 'communityId', 'idempotencyKey'], required: ['metricKey', 'value', 'at'] };

/** Points of one coalesced event. */
const POINTS_PER_EVENT = 1000;

/**
 * One statement per chunk: parse, check (the first problem of each row, in field order, as
 * recordMetrics words it), and, when nothing in the chunk is wrong and `$6`, insert; rows whose
 * idempotency key is already there are skipped. Returns the counts, the errors, and the day
 * groups written (for coalesced events).
 * $1 job, $2..$3 lines, $4 latest allowed time, $5 built-in keys, $6 write.
 */
function chunkSql(careful: boolean): string {
  const at = asTime("s.d->>'at'", careful);
  return `WITH src AS MATERIALIZED (${stagedRows(careful)}),
  checked AS MATERIALIZED (
    SELECT s.line, md.id AS metric_id, c.id AS community_id, s.d->>'at' AS at_text, s.d->>'value' AS value_text,
      s.d->>'idempotencyKey' AS idem,
      CASE ${shapeProblems(METRIC_FIELDS)}
        WHEN s.d->>'metricKey' IS NULL THEN 'metricKey: required'
        WHEN md.id IS NULL THEN 'metricKey: ''' || (s.d->>'metricKey') || ''' ' || CASE WHEN (s.d->>'metricKey') = ANY ($5::text[])
          THEN 'is a built-in metric: it is derived from relationship data and cannot be recorded'
          ELSE 'is not a defined metric (define it with defineMetric)' END
        WHEN s.d->>'value' IS NULL THEN 'value: required'
        WHEN NOT ${isNumber("s.d->>'value'")} THEN 'value: must be a number'
        WHEN abs((s.d->>'value')::numeric) > 1e15 THEN 'value: must be finite with |value| <= 1e15'
        WHEN (s.d->>'value')::numeric <> 0 AND abs((s.d->>'value')::numeric) < 1e-300 THEN 'value: too close to zero to store'
        WHEN s.d->>'at' IS NULL THEN 'at: required'
        WHEN NOT ${isDateTime("s.d->>'at'")} THEN 'at: must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z'
        ${careful ? `WHEN ${at} IS NULL THEN 'at: ''' || (s.d->>'at') || ''' is not a date that exists'` : ''}
        WHEN ${at} < 'epoch' OR ${at} > $4 THEN 'at: must be from 1970-01-01 to one day from now'
        WHEN s.d->>'communityId' IS NOT NULL AND c.id IS NULL THEN 'communityId: ''' || (s.d->>'communityId') || ''' is not a community of this organization'
        WHEN length(s.d->>'idempotencyKey') NOT BETWEEN 1 AND ${MAX_IDEMPOTENCY_KEY_LENGTH} THEN 'idempotencyKey: must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters'
      END AS problem
    FROM src s
    LEFT JOIN metric_definitions md ON md.key = s.d->>'metricKey'
    LEFT JOIN communities c ON c.id = CASE WHEN ${isUuidSql("s.d->>'communityId'")} THEN (s.d->>'communityId')::uuid END
  ),
  ins AS (
    INSERT INTO metric_points (organization_id, metric_id, community_id, at, value, idempotency_key)
    SELECT app_tenant(), metric_id, community_id, at_text::timestamptz, value_text::float8, idem FROM checked
    WHERE $6 AND NOT EXISTS (SELECT 1 FROM checked WHERE problem IS NOT NULL)
    ORDER BY line -- the first of a key given twice wins
    ON CONFLICT (organization_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING metric_id, community_id, at
  )
  SELECT (SELECT count(*) FROM checked)::int AS processed,
    (SELECT count(*) FROM checked WHERE problem IS NULL)::int AS valid,
    (SELECT count(*) FROM ins)::int AS accepted,
    ${ERRORS_OF_PROBLEMS} AS errors,
    (SELECT coalesce(json_agg(g), '[]'::json) FROM (
      SELECT metric_id AS m, community_id AS c, max(at_text::timestamptz) AS at FROM checked WHERE problem IS NULL
      GROUP BY 1, 2, date_trunc('day', at_text::timestamptz, 'UTC')) g) AS groups,
    (SELECT coalesce(array_agg(DISTINCT metric_id), '{}') FROM checked WHERE metric_id IS NOT NULL) AS metric_ids,
    (SELECT coalesce(array_agg(DISTINCT community_id), '{}') FROM checked WHERE community_id IS NOT NULL) AS community_ids`;
}

interface ChunkRow {
  processed: number;
  valid: number;
  accepted: number;
  errors: ImportError[];
  groups: Array<{ m: string; c: string | null; at: string }>;
  metric_ids: string[];
  community_ids: string[];
}

/**
 * The rows a bulk write copies, under the tenant's RLS: every (checked) row, less those whose
 * idempotency key the organization already has. COPY takes no parameters: the job id is a UUID
 * checked before it is spliced in.
 */
function copyOutSql(jobId: string): string {
  return `SELECT app_tenant(), md.id, c.id, (s.d->>'at')::timestamptz, (s.d->>'value')::float8, s.d->>'idempotencyKey'
    FROM (SELECT r.raw::jsonb AS d FROM import_rows r WHERE r.organization_id = app_tenant() AND r.job_id = '${jobId}') s
    JOIN metric_definitions md ON md.key = s.d->>'metricKey'
    LEFT JOIN communities c ON c.id = CASE WHEN ${isUuidSql("s.d->>'communityId'")} THEN (s.d->>'communityId')::uuid END
    WHERE s.d->>'idempotencyKey' IS NULL
       OR NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.organization_id = app_tenant() AND p.idempotency_key = s.d->>'idempotencyKey')`;
}

/** Metric points: `metricKey, value, at, communityId?, idempotencyKey?`, idempotent by idempotencyKey. */
export class MetricsImport implements ImportKindHandler {
  readonly fields = METRIC_FIELDS;
  /** The last point written per (metric, community, UTC day): what the coalesced events carry. */
  private readonly last = new Map<string, { m: string; c: string | null; at: string; ms: number }>();

  private readonly metricIds = new Set<string>();
  private readonly communityIds = new Set<string>();
  private valid = 0;
  private wrote = 0;

  constructor(private readonly pubsub: PubSub) {}

  async checkFile(): Promise<ImportError[]> {
    return [];
  }

  async chunk(m: TenantDb, jobId: string, from: number, to: number, write: boolean, careful: boolean): Promise<ChunkResult> {
    const latest = new Date(Date.now() + MAX_FUTURE_MS);
    const [row] = (await m.query(chunkSql(careful), [jobId, from, to, latest, [...BUILT_IN_BY_KEY.keys()], write && !careful])) as ChunkRow[];
    this.valid += row.valid;
    this.wrote += row.accepted;
    row.metric_ids.forEach((id) => this.metricIds.add(id));
    row.community_ids.forEach((id) => this.communityIds.add(id));
    for (const g of row.groups) {
      const ms = Date.parse(g.at);
      const key = `${g.m}|${g.c}|${Math.floor(ms / 86_400_000)}`;
      const seen = this.last.get(key);
      if (!seen || seen.ms < ms) this.last.set(key, { ...g, ms });
    }
    const wrote = write && !careful && row.errors.length === 0;
    return { processed: row.processed, accepted: row.accepted, duplicates: wrote ? row.valid - row.accepted : 0, errors: row.errors };
  }

  /**
   * The whole file in one COPY into metric_points: PostgreSQL writes COPY's rows in batches, far
   * cheaper than an INSERT's one by one. COPY refuses tables under RLS, so the writing transaction
   * is the owner's and names the tenant in every row (the rows come from a query under the tenant's
   * RLS). Foreign keys are checked set-based, not per row: every referenced metric and community
   * was found by the checks and is locked FOR KEY SHARE here until commit, as the per-row trigger
   * would; with a superuser, the triggers are then skipped (`session_replication_role`).
   * An idempotency key twice in the file makes the COPY fail (23505); the caller then writes
   * statement by statement, which keeps the first.
   */
  async bulkWrite(m: TenantDb, jobId: string, w: BulkWriter): Promise<{ accepted: number; duplicates: number }> {
    if (!isUuid(jobId)) throw new Error('bulk write of a malformed job id');
    const runner = w.ds.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    let open = false;
    try {
      await runner.startTransaction();
      open = true;
      await runner.query('SAVEPOINT triggers');
      await runner.query(`SET LOCAL session_replication_role = replica`).then(
        () => runner.query('RELEASE SAVEPOINT triggers'),
        () => runner.query('ROLLBACK TO SAVEPOINT triggers'),
      );
      const metricIds = [...this.metricIds];
      const communityIds = [...this.communityIds];
      const [held] = (await runner.query(
        `SELECT (SELECT count(*) FROM (SELECT 1 FROM metric_definitions WHERE organization_id = $1 AND id = ANY ($2::uuid[]) FOR KEY SHARE) a)::int AS metrics,
                (SELECT count(*) FROM (SELECT 1 FROM communities WHERE organization_id = $1 AND id = ANY ($3::uuid[]) FOR KEY SHARE) b)::int AS communities`,
        [m.tenantId, metricIds, communityIds],
      )) as Array<{ metrics: number; communities: number }>;
      if (held.metrics !== metricIds.length || held.communities !== communityIds.length) throw new Error('a metric or community went away during the import');
      const copyIn = client.query(copyFrom('COPY metric_points (organization_id, metric_id, community_id, at, value, idempotency_key) FROM STDIN'));
      const reader = (await m.manager.queryRunner!.connect()) as PoolClient;
      const copyOut = reader.query(copyTo(`COPY (${copyOutSql(jobId)}) TO STDOUT`));
      let rows = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
          w.progress(rows);
          done(null, chunk);
        },
      });
      await pipeline(copyOut, counter, copyIn);
      const counts = { accepted: copyIn.rowCount, duplicates: this.valid - copyIn.rowCount };
      this.wrote = counts.accepted;
      await w.finish(counts, (sql, params) => runner.query(sql, params));
      await runner.commitTransaction();
      open = false;
      return counts;
    } catch (error) {
      if (open) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The last point of each (metric, community, day) written, read back for its value, published in a few events. */
  async events(m: TenantDb): Promise<Publish> {
    const groups = [...this.last.values()];
    if (!groups.length || !this.wrote) return () => undefined;
    const rows = (await m.query(
      `SELECT DISTINCT ON (g.n) md.key AS "metricKey", p.community_id AS "communityId", p.at, p.value
       FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) WITH ORDINALITY AS g(metric_id, community_id, at, n)
       JOIN metric_points p ON p.organization_id = app_tenant() AND p.metric_id = g.metric_id AND p.at = g.at
         AND p.community_id IS NOT DISTINCT FROM g.community_id
       JOIN metric_definitions md ON md.id = g.metric_id
       ORDER BY g.n, p.id DESC`,
      [groups.map((g) => g.m), groups.map((g) => g.c), groups.map((g) => g.at)],
    )) as Array<{ metricKey: string; communityId: string | null; at: Date; value: number }>;
    rows.sort((x, y) => x.at.getTime() - y.at.getTime());
    const points: MetricPointEvent[] = rows.map((r) => ({ metricKey: r.metricKey, communityId: r.communityId, at: r.at.toISOString(), value: r.value }));
    // One webhook event for the whole import, with the same points the live events carry.
    await emitWebhookEvent(m, WebhookEvent.METRICS_RECORDED, { points });
    await METRICS_WRITTEN.run(m, { points });
    return () => {
      for (let i = 0; i < points.length; i += POINTS_PER_EVENT) {
        void this.pubsub.publish(m.tenantId, METRIC_RECORDED, { points: points.slice(i, i + POINTS_PER_EVENT) } satisfies MetricRecordedEvent);
      }
    };
  }
}
