import type { DataSource } from 'typeorm';
import type { TenantDb } from '../../db/tenant.js';
import type { DataChangedEvent } from '../communities/community.events.js';
import type { RowFields } from './import-parsers.js';
import type { ImportError } from './import.types.js';

/** What one chunk of a job's lines came to. */
export interface ChunkResult {
  /** Rows of the chunk. */
  processed: number;
  /** Rows written. */
  accepted: number;
  /** Rows that were valid but already there. */
  duplicates: number;
  /** Bad rows of the chunk, in line order (at most 100). */
  errors: ImportError[];
}

/** The published side of a finished import: called after commit. */
export type Publish = () => void;

/**
 * How one kind of row is imported. Every statement runs in the job's one tenant-scoped
 * transaction, over the staged lines `from <= line < to` of job `$1`.
 */
export interface ImportKindHandler {
  fields: RowFields;
  /** Problems of the whole file (an external id twice), found before any chunk. */
  checkFile(m: TenantDb, jobId: string): Promise<ImportError[]>;
  /**
   * Checks a chunk and, when `write` (no bad row so far) and the chunk has no bad row, writes it.
   * `careful` is the slow path that finds the lines a fast statement failed on (a date that
   * passes the pattern but does not exist, JSON that does not parse).
   */
  chunk(m: TenantDb, jobId: string, from: number, to: number, write: boolean, careful: boolean): Promise<ChunkResult>;
  /** Before commit: what to publish once the import committed (coalesced events). */
  events(m: TenantDb): Promise<Publish>;
  /**
   * A kind that writes faster than statement by statement: it checks and writes the whole file at
   * once in a transaction of its own, calls `finish` in that transaction (the job's status), and
   * commits. Answers what it wrote. A bad row makes it throw a data exception (SQLSTATE class 22)
   * and a unique key twice in the file 23505, writing nothing: the caller then runs the chunks.
   */
  bulkWrite?(m: TenantDb, jobId: string, writer: BulkWriter): Promise<{ accepted: number; duplicates: number }>;
}

/** What a bulk write gets: the pool, where to report rows written, and the job's last word. */
export interface BulkWriter {
  ds: DataSource;
  /** Rows staged (the valid rows of a file that wrote). */
  rows: number;
  /** Rows written so far. */
  progress(rows: number): void;
  /**
   * Runs in the writing transaction before it commits, bound to the tenant (`bindTenant`): the
   * job's status and every event of the import (outbox rows, goals) commit with the rows, or none do.
   */
  finish(counts: { accepted: number; duplicates: number }, db: TenantDb): Promise<void>;
  /** Which way the bulk write went (a kind with several), and why it left a faster one. */
  path?(path: ImportPath, refused?: string): void;
}

/** How an import was written: `binary` (checked in node, binary COPY), `sql` (checked in SQL, COPY), `chunks` (statement by statement). */
export type ImportPath = 'binary' | 'sql' | 'chunks';

/** SQL: staged lines of job $1 in [$2, $3), with the JSON parsed (or NULL in careful mode when it does not parse). */
export function stagedRows(careful: boolean): string {
  return `SELECT r.line, ${careful ? 'try_jsonb(r.raw)' : 'r.raw::jsonb'} AS d
    FROM import_rows r WHERE r.organization_id = app_tenant() AND r.job_id = $1 AND r.line >= $2 AND r.line < $3`;
}

/** SQL CASE branches shared by every kind: not JSON, not an object, an unknown field. */
export function shapeProblems(fields: RowFields): string {
  const allowed = `'{${fields.allowed.join(',')}}'::text[]`;
  return `WHEN s.d IS NULL THEN 'not valid JSON (nor may it hold \\u0000)'
    WHEN jsonb_typeof(s.d) <> 'object' THEN 'must be a JSON object'
    WHEN (s.d - ${allowed}) <> '{}'::jsonb THEN 'unknown field ''' || (SELECT min(k) FROM jsonb_object_keys(s.d - ${allowed}) k) || ''' (fields: ${fields.allowed.join(', ')})'`;
}

/** SQL: a text is an RFC 3339 date-time with an offset (whether the day exists is the cast's job). */
export function isDateTime(expr: string): string {
  return `(${expr} ~ '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt ]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$')`;
}

/** SQL: a text is a number as JSON writes them. */
export function isNumber(expr: string): string {
  return `(${expr} ~ '^-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d{1,3})?$')`;
}

/** SQL: a text is a UUID. */
export function isUuidSql(expr: string): string {
  return `(${expr} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')`;
}

/** SQL: a text as timestamptz, through the safe cast in careful mode. */
export function asTime(expr: string, careful: boolean): string {
  return careful ? `try_timestamptz(${expr})` : `(${expr})::timestamptz`;
}

/** Aggregates the JSON error list of a chunk's `problems` CTE (line, problem). */
export const ERRORS_OF_PROBLEMS = `(SELECT coalesce(json_agg(json_build_object('line', line, 'message', problem) ORDER BY line), '[]'::json)
    FROM (SELECT line, problem FROM checked WHERE problem IS NOT NULL ORDER BY line LIMIT 100) e)`;

/** SQL CASE branch: a text field longer than `max` characters (or blank when `required`). */
export function textProblem(field: string, max: number, required = false): string {
  const v = `(s.d->>'${field}')`;
  return `${required ? `WHEN ${v} IS NULL OR btrim(${v}) = '' THEN '${field}: required'\n` : ''}WHEN length(${v}) > ${max} THEN '${field}: must be at most ${max} characters'`;
}

/** SQL CASE branch: `qualified`-like booleans, true or false in JSON or CSV. */
export function booleanProblem(field: string): string {
  return `WHEN s.d->>'${field}' IS NOT NULL AND lower(s.d->>'${field}') NOT IN ('true', 'false') THEN '${field}: must be true or false'`;
}

/** One relationship-graph change written by an import, as data-changed events describe it. */
export interface GraphChange {
  kind: 'relationship' | 'conversation' | 'stage-change';
  id: string;
  communityId: string | null;
  at: string;
}

/**
 * Coalesces an import's changes to the relationship graph into one data-changed event per
 * (kind, community) spanning `at`..`until`, so that a file of any size is a handful of events.
 */
export class GraphChanges {
  private readonly spans = new Map<string, { kind: GraphChange['kind']; id: string; communityId: string | null; from: number; to: number }>();

  add(changes: readonly GraphChange[]): void {
    for (const c of changes) {
      const at = Date.parse(c.at);
      const key = `${c.kind}|${c.communityId}`;
      const span = this.spans.get(key);
      if (!span) this.spans.set(key, { kind: c.kind, id: c.id, communityId: c.communityId, from: at, to: at });
      else {
        span.from = Math.min(span.from, at);
        span.to = Math.max(span.to, at);
      }
    }
  }

  /** The coalesced events, to publish on DATA_CHANGED after commit. */
  events(): DataChangedEvent[] {
    return [...this.spans.values()].map((s) => ({
      kind: s.kind,
      id: s.id,
      communityId: s.communityId,
      at: new Date(s.from).toISOString(),
      ...(s.to > s.from ? { until: new Date(s.to).toISOString() } : {}),
    }));
  }
}
