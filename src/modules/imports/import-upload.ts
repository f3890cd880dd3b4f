import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import type { AppServices } from '../../platform/context.js';
import { AppError, BadInputError, ErrorCode, ForbiddenError, UnauthenticatedError } from '../../platform/errors.js';
import { HttpError, type RestAnswer, type RestCall } from '../../platform/http/rest.js';
import { JobQueue } from '../../platform/jobs/job-queue.js';
import { batcher, byteLimit, csvRows, ndjsonCopyRows, type StagedCount } from './import-parsers.js';
import { IMPORT_TASK } from './import-runner.js';
import { handlerFields } from './import-kinds.js';
import { ImportJobStatus, ImportKind, KIND_BY_NAME } from './import.types.js';
import { LineChunkStager } from './metrics-upload.js';

/** Largest import file: 1 GiB. */
export const MAX_IMPORT_BYTES = 1024 ** 3;

type Format = 'NDJSON' | 'CSV';

const FORMAT_OF_TYPE: ReadonlyMap<string, Format> = new Map([
  ['application/x-ndjson', 'NDJSON'],
  ['application/ndjson', 'NDJSON'],
  ['application/jsonl', 'NDJSON'],
  ['text/csv', 'CSV'],
]);

/** The request's kind and format, or a 4xx. */
function readRequest(call: RestCall): { kind: ImportKind; format: Format } {
  if (!call.principal) throw new UnauthenticatedError();
  if (!call.principal.scopes.has(ApiKeyScope.INGEST)) throw new ForbiddenError('Imports need the INGEST scope');
  const kind = KIND_BY_NAME.get(call.query.kind ?? '');
  if (!kind) throw new BadInputError(`kind must be one of ${[...KIND_BY_NAME.keys()].join(', ')}`, { field: 'kind' });
  const type = (call.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const format = FORMAT_OF_TYPE.get(type);
  if (!format) {
    throw new HttpError(415, ErrorCode.BAD_USER_INPUT, 'content-type must be application/x-ndjson (one JSON object a line) or text/csv (with a header row)');
  }
  const length = Number(call.header('content-length') ?? 0);
  if (length > MAX_IMPORT_BYTES) throw new HttpError(413, ErrorCode.BAD_USER_INPUT, `The file is larger than ${MAX_IMPORT_BYTES} bytes`);
  return { kind, format };
}

/** What a staging failure means to the client: its own mistakes are 4xx, the rest stays a 500. */
function uploadError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; message?: string };
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE') return new BadInputError('The upload ended before the whole file arrived');
  if (e.message === 'maximum buffer reached') return new BadInputError('A line is longer than 1 MiB');
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) return new BadInputError(`CSV: ${e.message}`);
  // PostgreSQL refusing the text itself (bad UTF-8 encoding).
  if (e.code === '22021') return new BadInputError('The file is not valid UTF-8');
  return error;
}

/**
 * POST /v1/imports: streams the body through its parser into `import_rows` with COPY, and
 * creates the job and its queue entry, all in one transaction that commits only once the whole
 * body arrived. A client that goes away mid-upload leaves nothing behind.
 *
 * COPY cannot run under row-level security, so this transaction is the owner's; the tenant
 * comes from the authenticated principal only (never from the request), as for auth lookups.
 */
export async function acceptImport(app: AppServices, call: RestCall): Promise<RestAnswer> {
  const { kind, format } = readRequest(call);
  const principal = call.principal!;
  const runner = app.ds.createQueryRunner() as PostgresQueryRunner;
  // connect() answers the pooled pg client itself, which COPY needs.
  const client = (await runner.connect()) as PoolClient;
  let open = false;
  try {
    await runner.startTransaction();
    open = true;
    const [job] = (await runner.query(
      `INSERT INTO import_jobs (organization_id, kind, format, created_by_user_id, created_by_api_key_id)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [principal.organizationId, kind, format, principal.userId ?? null, principal.apiKeyId ?? null],
    )) as Array<{ id: string }>;
    const count: StagedCount = { rows: 0, lastLine: 0 };
    if (format === 'NDJSON' && kind === ImportKind.METRICS) {
      // Metric lines staged a MiB a row (the job reads them back as it reads import_rows).
      await pipeline(call.body, byteLimit(MAX_IMPORT_BYTES), new LineChunkStager(client, principal.organizationId, job.id, count));
    } else if (format === 'NDJSON') {
      // Lines staged as bytes, in COPY's binary format (nothing to escape, nothing to parse).
      const copy = client.query(copyFrom('COPY import_rows (organization_id, job_id, line, raw) FROM STDIN (FORMAT binary)'));
      await pipeline(call.body, byteLimit(MAX_IMPORT_BYTES), ndjsonCopyRows(principal.organizationId, job.id, count), copy);
    } else {
      const copy = client.query(copyFrom('COPY import_rows (organization_id, job_id, line, raw) FROM STDIN'));
      const prefix = `${principal.organizationId}\t${job.id}\t`;
      await pipeline(call.body, byteLimit(MAX_IMPORT_BYTES), ...csvRows(prefix, handlerFields(kind), count), batcher(), copy);
    }
    if (count.rows === 0) throw new BadInputError('The file has no rows');
    await runner.query(`UPDATE import_jobs SET rows = $3, last_line = $4 WHERE organization_id = $1 AND id = $2`, [
      principal.organizationId,
      job.id,
      count.rows,
      count.lastLine,
    ]);
    await JobQueue.enqueue(runner.manager, IMPORT_TASK, { organizationId: principal.organizationId, jobId: job.id });
    await runner.commitTransaction();
    open = false;
    app.logger.info('import uploaded', { requestId: call.requestId, jobId: job.id, kind, format, rows: count.rows });
    return { status: 202, body: { id: job.id, status: ImportJobStatus.QUEUED } };
  } catch (error) {
    if (open) await runner.rollbackTransaction().catch(() => undefined);
    throw uploadError(error);
  } finally {
    await runner.release();
  }
}
