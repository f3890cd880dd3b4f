import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { isUuid } from '../../db/ids.js';
import { bindTenant, type TenantDb } from '../../db/tenant.js';
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
import { COPY_BINARY_HEADER, type RowFields } from './import-parsers.js';
import type { ImportError } from './import.types.js';
import { ChunkDataReader, MetricRowEncoder, StagedLineReader } from './metrics-binary.js';

export const METRIC_FIELDS: RowFields = { allowed: ['metricKey', 'value', 'at', 'communityId', 'idempotencyKey'], required: ['metricKey', 'value', 'at'] };

/** Points of one coalesced event. */
const POINTS_PER_EVENT = 1000;

/**
 * The first problem of a parsed row `s.d` (joined to `md` and `c`), in field order, as
 * recordMetrics words it; NULL when the row is good. `latest` and `builtIns` are SQL: the latest
 * allowed time and the built-in metric keys.
 */
function problemSql(careful: boolean, latest: string, builtIns: string): string {
  const at = asTime("s.d->>'at'", careful);
  return `CASE ${shapeProblems(METRIC_FIELDS)}
        WHEN s.d->>'metricKey' IS NULL THEN 'metricKey: required'
        WHEN md.id IS NULL THEN 'metricKey: ''' || (s.d->>'metricKey') || ''' ' || CASE WHEN (s.d->>'metricKey') = ANY (${builtIns})
          THEN 'is a built-in metric: it is derived from relationship data and cannot be recorded'
          ELSE 'is not a defined metric (define it with defineMetric)' END
        WHEN s.d->>'value' IS NULL THEN 'value: required'
        WHEN NOT ${isNumber("s.d->>'value'")} THEN 'value: must be a number'
        WHEN abs((s.d->>'value')::numeric) > 1e15 THEN 'value: must be finite with |value| <= 1e15'
        WHEN (s.d->>'value')::numeric <> 0 AND abs((s.d->>'value')::numeric) < 1e-300 THEN 'value: too close to zero to store'
        WHEN s.d->>'at' IS NULL THEN 'at: required'
        WHEN NOT ${isDateTime("s.d->>'at'")} THEN 'at: must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z'
        ${careful ? `WHEN ${at} IS NULL THEN 'at: ''' || (s.d->>'at') || ''' is not a date that exists'` : ''}
        WHEN ${at} < 'epoch' OR ${at} > ${latest} THEN 'at: must be from 1970-01-01 to one day from now'
        WHEN s.d->>'communityId' IS NOT NULL AND c.id IS NULL THEN 'communityId: ''' || (s.d->>'communityId') || ''' is not a community of this organization'
        WHEN length(s.d->>'idempotencyKey') NOT BETWEEN 1 AND ${MAX_IDEMPOTENCY_KEY_LENGTH} THEN 'idempotencyKey: must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters'
      END`;
}

/** The joins of a parsed row `s.d` to its metric (md) and community (c), under the tenant's RLS. */
const REFERENCES = `LEFT JOIN metric_definitions md ON md.key = s.d->>'metricKey'
    LEFT JOIN communities c ON c.id = CASE WHEN ${isUuidSql("s.d->>'communityId'")} THEN (s.d->>'communityId')::uuid END`;

/**
 * One statement per chunk: parse, check (the first problem of each row), and, when nothing in
 * the chunk is wrong and `$6`, insert; rows whose idempotency key is already there are skipped.
 * Returns the counts, the errors, and the day groups written (for coalesced events).
 * $1 job, $2..$3 lines, $4 latest allowed time, $5 built-in keys, $6 write.
 */
function chunkSql(careful: boolean): string {
  return `WITH src AS MATERIALIZED (${stagedRows(careful)}),
  checked AS MATERIALIZED (
    SELECT s.line, md.id AS metric_id, c.id AS community_id, s.d->>'at' AS at_text, s.d->>'value' AS value_text,
      s.d->>'idempotencyKey' AS idem,
      ${problemSql(careful, '$4', '$5::text[]')} AS problem
    FROM src s
    ${REFERENCES}
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
      GROUP BY 1, 2, date_trunc('day', at_text::timestamptz, 'UTC')) g) AS groups`;
}

interface ChunkRow {
  processed: number;
  valid: number;
  accepted: number;
  errors: ImportError[];
  groups: Array<{ m: string; c: string | null; at: string }>;
}

/** A SQL string literal (for COPY, which takes no parameters). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * SQL: the fast check of a row of copyOutSql's `x`: true only for a row the full checks
 * (problemSql) accept, without their costliest parts. A JSON number needs no pattern, and the
 * usual times (`2026-01-31T09:30:00Z`, with or without a fraction) are checked by fixed positions
 * and `translate` instead of the full pattern (ten times slower in PostgreSQL's regex engine),
 * which is kept for the other forms. A time that does not parse (`ts`) fails the statement too.
 */
function fastOkSql(latest: string): string {
  const allowed = `'{${METRIC_FIELDS.allowed.join(',')}}'::text[]`;
  const range = (n: string) => `abs(${n}) <= 1e15 AND (${n} = 0 OR abs(${n}) >= 1e-300)`;
  const clock = `substr(x.at, 12, 2) < '24' AND substr(x.at, 15, 2) < '60' AND substr(x.at, 18, 2) < '60'`;
  return `jsonb_typeof(x.d) = 'object' AND (x.d - ${allowed}) = '{}'::jsonb
    AND x.metric_id IS NOT NULL
    AND (x.community IS NULL OR x.community_id IS NOT NULL)
    AND CASE jsonb_typeof(x.v) WHEN 'number' THEN ${range('x.v::numeric')}
          WHEN 'string' THEN ${isNumber('x.value')} AND ${range('x.value::numeric')} ELSE false END
    AND CASE WHEN x.at LIKE '____-__-__T__:__:__Z' THEN translate(x.at, '0123456789', '') = '--T::Z' AND ${clock}
          WHEN x.at LIKE '____-__-__T__:__:__._%Z' THEN length(x.at) <= 29 AND translate(x.at, '0123456789', '') = '--T::.Z' AND ${clock}
          ELSE coalesce(${isDateTime('x.at')}, false) END
    AND x.ts >= 'epoch' AND x.ts <= ${latest}
    AND (x.idem IS NULL OR length(x.idem) BETWEEN 1 AND ${MAX_IDEMPOTENCY_KEY_LENGTH})`;
}

/**
 * The rows a bulk write copies, checked on the way, under the tenant's RLS: every row, less those
 * whose idempotency key the organization already has (an anti-join the planner may hash). The
 * JSON is parsed once per row. A row the fast check refuses stops the statement with a data
 * exception (`line N: …`, which never reads as a boolean, cast to one): the caller then runs the
 * full checks chunk by chunk. COPY takes no parameters: the job id is a UUID checked before it is
 * spliced in, the rest are this code's.
 */
export function copyOutSql(jobId: string, latest: Date): string {
  return `SELECT app_tenant(), x.metric_id, x.community_id, x.ts, x.value::float8, x.idem FROM (
      SELECT s.line, s.d, md.id AS metric_id, c.id AS community_id, s.d->>'communityId' AS community,
        s.d->>'at' AS at, (s.d->>'at')::timestamptz AS ts, s.d->'value' AS v, s.d->>'value' AS value, s.d->>'idempotencyKey' AS idem
      FROM (SELECT r.line, r.raw::jsonb AS d FROM import_rows r WHERE r.organization_id = app_tenant() AND r.job_id = '${jobId}' OFFSET 0) s
      ${REFERENCES}
      OFFSET 0) x
    WHERE CASE WHEN ${fastOkSql(`${literal(latest.toISOString())}::timestamptz`)} THEN true
            ELSE ('line ' || x.line || ': refused by the fast check')::boolean END
      AND NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.organization_id = app_tenant() AND p.idempotency_key = x.idem)`;
}

/**
 * The last time per (metric, community, UTC day) of COPY text rows
 * `organization\tmetric\tcommunity\tat\tvalue\tkey` as they stream past, `at` in UTC
 * (`2026-01-31 09:30:00[.fff]+00`, which sorts as text in time order): what the coalesced events
 * of a bulk write carry.
 */
export class CopiedDays {
  rows = 0;
  private rest: Buffer | null = null;
  private readonly last = new Map<string, string>();

  add(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    for (let end = buf.indexOf(10, start); end !== -1; end = buf.indexOf(10, start)) {
      const metric = buf.indexOf(9, start) + 1;
      const community = buf.indexOf(9, metric) + 1;
      const at = buf.indexOf(9, community) + 1;
      const atEnd = buf.indexOf(9, at);
      const key = buf.toString('latin1', metric, at + 10);
      const time = buf.toString('latin1', at, atEnd);
      const seen = this.last.get(key);
      if (seen === undefined || seen < time) this.last.set(key, time);
      this.rows++;
      start = end + 1;
    }
    this.rest = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
  }

  /** One entry per (metric, community, day): ids, and the last time as ISO text and milliseconds. */
  groups(): Array<{ m: string; c: string | null; at: string; ms: number }> {
    return [...this.last].map(([key, time]) => {
      const [m, c] = key.split('\t');
      const at = `${time.slice(0, 10)}T${time.slice(11, -3)}Z`;
      return { m, c: c === '\\N' ? null : c, at, ms: Date.parse(at) };
    });
  }
}

/** Metric points: `metricKey, value, at, communityId?, idempotencyKey?`, idempotent by idempotencyKey. */
export class MetricsImport implements ImportKindHandler {
  readonly fields = METRIC_FIELDS;
  /** The last point written per (metric, community, UTC day): what the coalesced events carry. */
  private readonly last = new Map<string, { m: string; c: string | null; at: string; ms: number }>();

  private wrote = 0;

  constructor(private readonly pubsub: PubSub) {}

  async checkFile(): Promise<ImportError[]> {
    return [];
  }

  async chunk(m: TenantDb, jobId: string, from: number, to: number, write: boolean, careful: boolean): Promise<ChunkResult> {
    const latest = new Date(Date.now() + MAX_FUTURE_MS);
    const [row] = (await m.query(chunkSql(careful), [jobId, from, to, latest, [...BUILT_IN_BY_KEY.keys()], write && !careful])) as ChunkRow[];
    this.wrote += row.accepted;
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
   * The whole file in one COPY into metric_points, checked on the way: PostgreSQL writes COPY's
   * rows in batches, far cheaper than an INSERT's one by one. First the binary path (copyBinary):
   * node checks each staged line (from import_chunks, a MiB of lines a row, for NDJSON; from
   * import_rows for CSV) and encodes what it vouches for in COPY's binary format, which PostgreSQL
   * stores without parsing text, and no idempotency key is probed (the unique index refuses a key
   * written before or twice). When it refuses the file (a row it cannot vouch for, a repeated
   * key), nothing of it is kept, chunks are unpacked into import_rows, and the SQL path runs
   * (copySql), which checks in SQL and skips the keys already there.
   *
   * COPY refuses tables under RLS, so the writing transaction is the owner's and names the tenant
   * in every row. Foreign keys are held set-based, not per row: every metric and community of the
   * tenant is locked FOR KEY SHARE here until commit (before the rows are read, so any the rows
   * name stays), as the per-row trigger would lock those used; with a superuser, the triggers are
   * then skipped (`session_replication_role`). On the SQL path a bad row stops it with a data
   * exception (class 22) and an idempotency key twice in the file with 23505: nothing is written,
   * and the caller checks chunk by chunk to list the bad lines, or writes statement by statement,
   * which keeps the first.
   */
  async bulkWrite(m: TenantDb, jobId: string, w: BulkWriter): Promise<{ accepted: number; duplicates: number }> {
    if (!isUuid(jobId)) throw new Error('bulk write of a malformed job id');
    const latest = new Date(Date.now() + MAX_FUTURE_MS);
    let refused = '';
    const [staged] = (await m.query(
      `SELECT EXISTS (SELECT 1 FROM import_chunks c WHERE c.organization_id = app_tenant() AND c.job_id = $1) AS chunks`,
      [jobId],
    )) as Array<{ chunks: boolean }>;
    const from = staged.chunks ? 'chunks' : 'lines';
    const fast = await this.inOwnerTransaction(m, w, async (runner, client) => {
      const result = await this.copyBinary(m, jobId, w, runner, client, latest, from);
      if (typeof result === 'string') refused = result;
      return typeof result === 'string' ? null : result;
    });
    if (fast) {
      w.path?.('binary');
      return fast;
    }
    // The checks that name lines read import_rows: the chunks' lines go there (in the job's transaction).
    if (staged.chunks) await this.unpackChunks(m, jobId);
    w.path?.('sql', refused);
    return (await this.inOwnerTransaction(m, w, (_runner, client) => this.copySql(m, jobId, w, client, latest)))!;
  }

  /**
   * Runs `write` in a transaction of the owner with the triggers off (when allowed) and every
   * metric and community of the tenant locked; then, with the triggers back on, the job's status
   * and the import's events (`events`, through finish) as the tenant, and commits: they commit with
   * the rows, or none do. `write` answering null rolls it all back (null).
   */
  private async inOwnerTransaction(
    m: TenantDb,
    w: BulkWriter,
    write: (runner: QueryRunner, client: PoolClient) => Promise<{ accepted: number; duplicates: number } | null>,
  ): Promise<{ accepted: number; duplicates: number } | null> {
    const runner = w.ds.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    let open = false;
    this.last.clear();
    try {
      await runner.startTransaction();
      open = true;
      await runner.query('SAVEPOINT triggers');
      const off = await runner.query(`SET LOCAL session_replication_role = replica`).then(
        () => runner.query('RELEASE SAVEPOINT triggers').then(() => true),
        () => runner.query('ROLLBACK TO SAVEPOINT triggers').then(() => false),
      );
      const counts = await write(runner, client);
      if (!counts) {
        open = false;
        await runner.rollbackTransaction();
        return null;
      }
      this.wrote = counts.accepted;
      await runner.query('SAVEPOINT triggers_back');
      await runner.query(`SET LOCAL session_replication_role = origin`).then(
        () => runner.query('RELEASE SAVEPOINT triggers_back'),
        () => runner.query('ROLLBACK TO SAVEPOINT triggers_back'),
      );
      // The statement trigger that counts the tenant's data version (report caches) was off too.
      if (off) await runner.query(`INSERT INTO data_versions (organization_id, txid) VALUES ($1, txid_current()) ON CONFLICT DO NOTHING`, [m.tenantId]);
      await w.finish(counts, await bindTenant(runner.manager, m.tenantId));
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

  /** The SQL path: copyOutSql's rows, checked in PostgreSQL, streamed into COPY metric_points (text). */
  private async copySql(m: TenantDb, jobId: string, w: BulkWriter, client: PoolClient, latest: Date): Promise<{ accepted: number; duplicates: number }> {
    await client.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM metric_definitions WHERE organization_id = $1 FOR KEY SHARE) a),
              (SELECT count(*) FROM (SELECT 1 FROM communities WHERE organization_id = $1 FOR KEY SHARE) b)`,
      [m.tenantId],
    );
    const copyIn = client.query(copyFrom('COPY metric_points (organization_id, metric_id, community_id, at, value, idempotency_key) FROM STDIN'));
    const reader = (await m.manager.queryRunner!.connect()) as PoolClient;
    // Times leave in UTC, so that a row's text names its UTC day (CopiedDays).
    await m.query(`SAVEPOINT import_copy`);
    await m.query(`SET LOCAL TimeZone = 'UTC'`);
    const copyOut = reader.query(copyTo(`COPY (${copyOutSql(jobId, latest)}) TO STDOUT`));
    const days = new CopiedDays();
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        days.add(chunk);
        w.progress(days.rows);
        done(null, chunk);
      },
    });
    try {
      await pipeline(copyOut, counter, copyIn);
      await m.query(`RELEASE SAVEPOINT import_copy`);
    } catch (error) {
      await m.query(`ROLLBACK TO SAVEPOINT import_copy`).catch(() => undefined);
      throw error;
    }
    for (const g of days.groups()) this.last.set(`${g.m}|${g.c}|${Math.floor(g.ms / 86_400_000)}`, g);
    return { accepted: copyIn.rowCount, duplicates: w.rows - copyIn.rowCount };
  }

  /**
   * The binary path: the staged lines (`from` import_chunks or import_rows) leave PostgreSQL as
   * they are (`COPY … TO STDOUT (FORMAT binary)`, a plain scan), node checks and encodes them
   * (MetricRowEncoder) and they enter `COPY metric_points … FROM STDIN (FORMAT binary)`. Answers the counts, or why it refused the
   * file: a line node cannot vouch for, or a data error of the COPY (23505: a key written before
   * or given twice). When it refuses, both COPYs are ended before it answers (the reading one
   * cancelled and read to its end, or its connection would never be free again).
   */
  private async copyBinary(
    m: TenantDb,
    jobId: string,
    w: BulkWriter,
    runner: QueryRunner,
    client: PoolClient,
    latest: Date,
    from: 'lines' | 'chunks',
  ): Promise<{ accepted: number; duplicates: number } | string> {
    const metrics = (await runner.query(`SELECT id, key FROM metric_definitions WHERE organization_id = $1 FOR KEY SHARE`, [m.tenantId])) as Array<{ id: string; key: string }>;
    const communities = (await runner.query(`SELECT id FROM communities WHERE organization_id = $1 FOR KEY SHARE`, [m.tenantId])) as Array<{ id: string }>;
    const encoder = new MetricRowEncoder({
      tenant: m.tenantId,
      metrics: new Map(metrics.map((d) => [d.key, d.id])),
      communities: new Set(communities.map((c) => c.id)),
      latestMs: latest.getTime(),
    });
    const copyIn = client.query(
      copyFrom('COPY metric_points (organization_id, metric_id, community_id, at, value, idempotency_key) FROM STDIN (FORMAT binary)'),
    );
    const reader = (await m.manager.queryRunner!.connect()) as PoolClient;
    await m.query(`SAVEPOINT import_copy`);
    const copyOut = reader.query(
      copyTo(
        from === 'chunks'
          ? `COPY (SELECT c.rows, c.data FROM import_chunks c WHERE c.organization_id = app_tenant() AND c.job_id = '${jobId}' ORDER BY c.seq) TO STDOUT (FORMAT binary)`
          : `COPY (SELECT r.line, r.raw FROM import_rows r WHERE r.organization_id = app_tenant() AND r.job_id = '${jobId}') TO STDOUT (FORMAT binary)`,
      ),
    );
    const source = from === 'chunks' ? new ChunkLines(encoder) : new EncodedLines(encoder);
    const refused = await streamBinary(copyOut, copyIn, source, w, async () => {
      await w.ds.query('SELECT pg_cancel_backend($1)', [(reader as PoolClient & { processID: number }).processID]);
    });
    if (refused !== null) {
      await m.query(`ROLLBACK TO SAVEPOINT import_copy`);
      return refused;
    }
    if (encoder.rows !== w.rows) throw new Error(`the import read ${encoder.rows} staged rows, not ${w.rows}`);
    await m.query(`RELEASE SAVEPOINT import_copy`);
    for (const g of encoder.groups()) this.last.set(`${g.m}|${g.c}|${Math.floor(g.ms / 86_400_000)}`, g);
    return { accepted: copyIn.rowCount, duplicates: w.rows - copyIn.rowCount };
  }

  /**
   * The lines of the job's chunks into import_rows, each with its line number, in the job's
   * transaction (they go if it rolls back): for the SQL checks, which name lines.
   */
  private async unpackChunks(m: TenantDb, jobId: string): Promise<void> {
    for (let seq = 0; ; seq++) {
      const [chunk] = (await m.query(`SELECT c.data FROM import_chunks c WHERE c.organization_id = app_tenant() AND c.job_id = $1 AND c.seq = $2`, [
        jobId,
        seq,
      ])) as Array<{ data: Buffer }>;
      if (!chunk) return;
      const lines: number[] = [];
      const raws: string[] = [];
      new StagedLineReader().feed(Buffer.concat([COPY_BINARY_HEADER, chunk.data]), (line, raw) => {
        lines.push(line);
        raws.push(raw);
        return true;
      });
      await m.query(`INSERT INTO import_rows (organization_id, job_id, line, raw) SELECT app_tenant(), $1, u.line, u.raw FROM unnest($2::int[], $3::text[]) AS u(line, raw)`, [
        jobId,
        lines,
        raws,
      ]);
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

/** What streamBinary writes: rows made from the COPY-out's bytes, in COPY's binary format. */
interface RowSource {
  /** Rows made so far. */
  readonly rows: number;
  /** Takes bytes of the COPY-out; answers why the file is refused, or null. */
  feed(chunk: Buffer): string | null;
  /** The bytes made so far (with `end`, the trailer too), or null. */
  take(end?: boolean): Buffer | null;
}

/** Staged lines (`SELECT line, raw`), each checked and encoded by node. */
class EncodedLines implements RowSource {
  private readonly lines = new StagedLineReader();

  constructor(private readonly encoder: MetricRowEncoder) {}

  get rows(): number {
    return this.encoder.rows;
  }

  feed(chunk: Buffer): string | null {
    let refusal: string | null = null;
    this.lines.feed(chunk, (line, raw) => {
      const why = this.encoder.add(raw);
      if (why !== null) refusal = `line ${line}: ${why}`;
      return why === null;
    });
    return refusal;
  }

  take(end = false): Buffer | null {
    return this.encoder.take(end);
  }
}

/** Staged chunks (`SELECT rows, data`): their lines, the same tuples as import_rows sends, checked and encoded by node. */
class ChunkLines extends EncodedLines {
  private readonly reader = new ChunkDataReader();
  private started = false;

  override feed(chunk: Buffer): string | null {
    let refusal = this.started ? null : super.feed(COPY_BINARY_HEADER);
    this.started = true;
    this.reader.feed(
      chunk,
      (part) => {
        if (refusal === null) refusal = super.feed(part);
      },
      () => undefined,
    );
    return refusal;
  }
}

/**
 * Pumps the binary COPY-out of staged lines or chunks through `source` into the binary COPY-in, with
 * back-pressure. Answers null when every row went in, or why the file was refused: a line the
 * encoder refuses or a data error of the COPY-in (SQLSTATE class 22 or 23). On refusal the
 * COPY-in is failed (CopyFail) unless PostgreSQL ended it already, and the COPY-out is cancelled
 * (`cancel`) and read to its end, so that both connections are free when it answers. Any other
 * error rejects, after the same clean-up.
 */
function streamBinary(
  copyOut: Readable,
  copyIn: Writable & { rowCount: number },
  source: RowSource,
  w: BulkWriter,
  cancel: () => Promise<void>,
): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let outEnded = false;
    let inEnded = false;
    let failed = false;
    const outDone = new Promise<void>((done) => {
      copyOut.once('end', done);
      copyOut.once('error', done);
    });
    const inDone = new Promise<void>((done) => {
      copyIn.once('finish', done);
      copyIn.once('error', done);
      copyIn.once('close', done);
    });
    const stop = (why: { refused: string } | { error: unknown }, inFailed: boolean) => {
      if (failed) return;
      failed = true;
      copyOut.removeListener('data', onData);
      copyOut.on('data', () => undefined); // read, and drop, the rest
      copyOut.resume();
      const waits: Array<Promise<unknown>> = [];
      if (!outEnded) waits.push(cancel().catch(() => undefined), outDone);
      if (!inFailed && !inEnded) {
        copyIn.destroy(new Error('the binary import path refused the file'));
        waits.push(inDone);
      }
      void Promise.all(waits).then(() => ('refused' in why ? resolve(why.refused) : reject(why.error)));
    };
    const onData = (chunk: Buffer) => {
      const refusal = source.feed(chunk);
      if (refusal !== null) return stop({ refused: refusal }, false);
      w.progress(source.rows);
      const bytes = source.take();
      if (bytes && !copyIn.write(bytes)) {
        copyOut.pause();
        copyIn.once('drain', () => failed || copyOut.resume());
      }
    };
    copyOut.on('data', onData);
    copyOut.on('end', () => {
      outEnded = true;
      if (failed) return;
      copyIn.end(source.take(true));
    });
    copyOut.on('error', (error: unknown) => {
      outEnded = true;
      stop({ error }, false);
    });
    copyIn.on('error', (error: { code?: string }) => {
      inEnded = true;
      inert(copyIn);
      const code = error.code ?? '';
      stop(code.startsWith('22') || code.startsWith('23') ? { refused: `${code}: ${(error as Error).message}` } : { error }, true);
    });
    copyIn.on('finish', () => {
      inEnded = true;
      if (!failed) resolve(null);
    });
  });
}

/**
 * Once PostgreSQL ended a COPY-in with an error, pg-copy-streams has dropped its connection: a
 * write still queued, or the end, would then throw outside any promise. Anything after is dropped.
 */
function inert(copyIn: Writable): void {
  Object.assign(copyIn, {
    _write: (_chunk: Buffer, _enc: string, done: () => void) => done(),
    _writev: (_chunks: unknown[], done: () => void) => done(),
    _final: (done: () => void) => done(),
    _destroy: (error: Error | null, done: (error: Error | null) => void) => done(error),
  });
}
