import { inTenantTransaction, type TenantDb } from '../../db/tenant.js';
import type { AppServices } from '../../platform/context.js';
import type { JobHandler, JobRun } from '../../platform/jobs/job-queue.js';
import type { ImportKindHandler, Publish } from './import-kind.js';
import { handlerFor } from './import-kinds.js';
import { importPhases, since, type ImportPhases } from './import-phases.js';
import { jobEvent, publishJob } from './import.events.js';
import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import { IMPORT_JOB_COLUMNS, ImportJobStatus, type ImportError, type ImportJob, type ImportKind } from './import.types.js';

/** The queue's task type of import jobs. */
export const IMPORT_TASK = 'import';

/** A queued import: the tenant and the job. */
export interface ImportPayload {
  organizationId: string;
  jobId: string;
}

/** Lines checked and written by one statement. */
export const CHUNK_LINES = 50_000;
/** How often a running job's progress is written and published. */
export const PROGRESS_MS = 500;
/** Errors a failed job lists at most. */
export const MAX_ERRORS = 100;

/** The rows of an `UPDATE … RETURNING` through TypeORM, which answers `[rows, count]` for it. */
function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/** Writes import.finished for the webhooks in the transaction that finished the job; answers what it was given. */
async function announceFinished<T extends ImportJob | unknown[]>(m: TenantDb, finished: T): Promise<T> {
  const [job] = Array.isArray(finished) ? returned<ImportJob>(finished) : [finished as ImportJob];
  if (job) await emitWebhookEvent(m, WebhookEvent.IMPORT_FINISHED, { importJob: jobEvent(job) });
  return finished;
}

/** Thrown inside the job's transaction to roll it back with the rows that were wrong. */
class BadRows extends Error {
  constructor(readonly errors: ImportError[], readonly processed: number) {
    super('the import has bad rows');
  }
}

/** The task that runs an import job (registered on the job queue at start). */
export function importTask(app: AppServices): JobHandler<ImportPayload> {
  return (payload, run) => new ImportRun(app, payload, run).execute();
}

/**
 * One run of an import job: the whole file is checked chunk by chunk and written in ONE
 * transaction, so a bad row anywhere, a crash or a stop leaves nothing written. Progress is
 * written beside it, in short transactions of its own, every PROGRESS_MS.
 */
class ImportRun {
  private processed = 0;
  private reported = -1;
  private ticker?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private readonly phases: ImportPhases;

  constructor(
    private readonly app: AppServices,
    private readonly payload: ImportPayload,
    private readonly run: JobRun,
  ) {
    this.phases = { jobId: payload.jobId, checkMs: 0, writeMs: 0, eventsMs: 0, path: 'chunks' };
  }

  private get tenant(): string {
    return this.payload.organizationId;
  }

  async execute(): Promise<void> {
    const started = await this.begin();
    if (!started) return;
    const handler = handlerFor(started.kind, this.app.pubsub);
    this.ticker = setInterval(() => void (this.ticking ??= this.progress().finally(() => (this.ticking = undefined))), PROGRESS_MS);
    try {
      const { job, publish } = await inTenantTransaction(this.app.ds, this.tenant, (m) => this.importAll(m, handler, started));
      await this.stopTicker();
      if (!job) return;
      publish();
      publishJob(this.app, this.tenant, job);
      if (importPhases.hasSubscribers) importPhases.publish(this.phases);
      await this.dropStaging();
    } catch (error) {
      await this.stopTicker();
      if (error instanceof BadRows) {
        await this.fail(error.errors, error.processed);
        if (importPhases.hasSubscribers) importPhases.publish(this.phases);
        return;
      }
      if (this.run.signal.aborted || this.run.attempt < this.run.maxAttempts) {
        this.app.logger.warn('import job interrupted; it will run again', { jobId: this.payload.jobId, attempt: this.run.attempt, error });
        throw error;
      }
      this.app.logger.error('import job failed', { jobId: this.payload.jobId, error });
      await this.fail([{ line: 0, message: 'The import failed on the server; nothing was written. Upload the file again.' }], 0);
    }
  }

  /** Marks the job RUNNING (QUEUED, or RUNNING when a crashed run left it so); null when it has finished already. */
  private async begin(): Promise<{ kind: ImportKind; rows: number; lastLine: number } | null> {
    const [job] = returned<ImportJob & { lastLine: number }>(
      await inTenantTransaction(this.app.ds, this.tenant, (m) =>
        m.query(
          `UPDATE import_jobs j SET status = 'RUNNING', started_at = coalesce(started_at, clock_timestamp()), processed = 0
           WHERE j.id = $1 AND j.status IN ('QUEUED', 'RUNNING') RETURNING ${IMPORT_JOB_COLUMNS}, j.last_line AS "lastLine"`,
          [this.payload.jobId],
        ),
      ),
    );
    if (!job) return null;
    const { lastLine, ...visible } = job;
    publishJob(this.app, this.tenant, visible);
    return { kind: job.kind, rows: job.rows, lastLine };
  }

  /** The job's transaction: staged rows checked and written chunk by chunk; throws BadRows to roll back. */
  private async importAll(
    m: TenantDb,
    handler: ImportKindHandler,
    started: { rows: number; lastLine: number },
  ): Promise<{ job: ImportJob | null; publish: Publish }> {
    const nothing = { job: null, publish: () => undefined };
    const [lock] = (await m.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 13)) AS mine`, [this.payload.jobId])) as Array<{ mine: boolean }>;
    if (!lock.mine) throw new Error('the job is running on another worker');
    // import_rows and import_chunks are UNLOGGED: a database crash empties them whole, never in
    // part, so one staged row tells that the upload is all there (counting a million took a second of CPU); the binary
    // write checks that it read every row too.
    const [state] = (await m.query(
      `SELECT j.status, EXISTS (SELECT 1 FROM import_rows r WHERE r.organization_id = app_tenant() AND r.job_id = j.id)
         OR EXISTS (SELECT 1 FROM import_chunks c WHERE c.organization_id = app_tenant() AND c.job_id = j.id) AS staged
       FROM import_jobs j WHERE j.id = $1`,
      [this.payload.jobId],
    )) as Array<{ status: ImportJobStatus; staged: boolean }>;
    if (state?.status !== ImportJobStatus.RUNNING) return nothing;
    if (!state.staged) {
      throw new BadRows([{ line: 0, message: 'The uploaded rows were lost (the database restarted before the job ran); upload the file again' }], 0);
    }
    let t0 = performance.now();
    const errors = await handler.checkFile(m, this.payload.jobId);
    if (handler.bulkWrite && !errors.length) {
      // A kind with a bulk write checks (quickly, conservatively) while it writes the file at once.
      // A file it refuses (a bad row, a key twice, a form the fast check leaves to the full one)
      // goes the ordinary way below: full checks chunk by chunk, which list the bad lines, and
      // writes statement by statement, which keep the first of a key given twice.
      const written = await this.bulk(m, handler, started.rows).catch((error: unknown) => {
        const code = (error as { code?: string }).code ?? '';
        if (code.startsWith('22') || code === '23505') return null;
        throw error;
      });
      this.phases.writeMs = since(t0);
      if (written) return written;
      this.phases.path = 'chunks';
      t0 = performance.now();
      this.processed = 0;
    }
    const pass = await this.pass(m, handler, started.lastLine, errors, true);
    this.phases.checkMs = since(t0);
    if (errors.length) throw new BadRows(errors.sort((a, b) => a.line - b.line).slice(0, MAX_ERRORS), this.processed);
    const publish = await this.timedEvents(m, handler);
    return { job: await announceFinished(m, await this.succeed(m, pass)), publish };
  }

  private async timedEvents(m: TenantDb, handler: ImportKindHandler): Promise<Publish> {
    const t0 = performance.now();
    const publish = await handler.events(m);
    this.phases.eventsMs = since(t0);
    return publish;
  }

  /** Checks (and, when `write`, writes) every chunk, adding bad rows to `errors`. */
  private async pass(m: TenantDb, handler: ImportKindHandler, lastLine: number, errors: ImportError[], write: boolean) {
    const counts = { accepted: 0, duplicates: 0 };
    for (let from = 1; from <= lastLine && errors.length < MAX_ERRORS; from += CHUNK_LINES) {
      if (this.run.signal.aborted) throw new Error('the node is stopping');
      const result = await this.chunk(m, handler, from, from + CHUNK_LINES, write && errors.length === 0);
      errors.push(...result.errors.slice(0, MAX_ERRORS - errors.length));
      counts.accepted += result.accepted;
      counts.duplicates += result.duplicates;
      this.processed += result.processed;
    }
    return counts;
  }

  /**
   * The handler's bulk write of the `rows` staged; in its transaction the job SUCCEEDED and the
   * import's events (import.finished, metrics.recorded, goals) are written. Progress: rows written.
   */
  private async bulk(m: TenantDb, handler: ImportKindHandler, rows: number): Promise<{ job: ImportJob; publish: Publish }> {
    let done: { job: ImportJob; publish: Publish } | undefined;
    await handler.bulkWrite!(m, this.payload.jobId, {
      ds: this.app.ds,
      rows,
      progress: (written) => (this.processed = Math.min(written, rows)),
      path: (path, refused) => {
        this.phases.path = path;
        if (refused) {
          this.phases.refused = refused;
          this.app.logger.info('import left the binary path', { jobId: this.payload.jobId, refused });
        }
      },
      finish: async (counts, db) => {
        await this.stopTicker();
        this.processed = rows;
        const [job] = returned<ImportJob>(
          await db.query(
            `UPDATE import_jobs j SET status = 'SUCCEEDED', processed = $3, accepted = $4, duplicates = $5, finished_at = clock_timestamp()
             WHERE j.organization_id = $1 AND j.id = $2 RETURNING ${IMPORT_JOB_COLUMNS}`,
            [this.tenant, this.payload.jobId, rows, counts.accepted, counts.duplicates],
          ),
        );
        done = { job: await announceFinished(db, job), publish: await this.timedEvents(db, handler) };
      },
    });
    return done!;
  }

  /** Marks the job SUCCEEDED in the job's transaction. */
  private async succeed(m: TenantDb, counts: { accepted: number; duplicates: number }): Promise<ImportJob> {
    await this.stopTicker();
    const [job] = returned<ImportJob>(
      await m.query(
        `UPDATE import_jobs j SET status = 'SUCCEEDED', processed = $2, accepted = $3, duplicates = $4, finished_at = clock_timestamp()
         WHERE j.id = $1 RETURNING ${IMPORT_JOB_COLUMNS}`,
        [this.payload.jobId, this.processed, counts.accepted, counts.duplicates],
      ),
    );
    return job;
  }

  /** A chunk by the fast statement; when PostgreSQL refuses a value in it, the careful one finds the lines. */
  private async chunk(m: TenantDb, handler: ImportKindHandler, from: number, to: number, write: boolean) {
    await m.query('SAVEPOINT import_chunk');
    try {
      const result = await handler.chunk(m, this.payload.jobId, from, to, write, false);
      await m.query('RELEASE SAVEPOINT import_chunk');
      return result;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!code.startsWith('22')) throw error; // only data exceptions are the file's fault
      await m.query('ROLLBACK TO SAVEPOINT import_chunk');
      const careful = await handler.chunk(m, this.payload.jobId, from, to, false, true);
      if (!careful.errors.length) throw error;
      return careful;
    }
  }

  /** Marks the job FAILED with its errors, in a transaction of its own, and drops its staged rows. */
  private async fail(errors: ImportError[], processed: number): Promise<void> {
    const [job] = returned<ImportJob>(
      await inTenantTransaction(this.app.ds, this.tenant, async (m) =>
        announceFinished(m, await m.query(
          `UPDATE import_jobs j SET status = 'FAILED', errors = $2::jsonb, processed = $3, accepted = 0, duplicates = 0,
             finished_at = clock_timestamp()
           WHERE j.id = $1 AND j.status = 'RUNNING' RETURNING ${IMPORT_JOB_COLUMNS}`,
          [this.payload.jobId, JSON.stringify(errors), processed],
        )),
      ),
    );
    if (job) publishJob(this.app, this.tenant, job);
    await this.dropStaging();
  }

  /** Writes and publishes the progress, when it moved. */
  private async progress(): Promise<void> {
    const processed = this.processed;
    if (processed === this.reported) return;
    this.reported = processed;
    try {
      const [job] = returned<ImportJob>(
        await inTenantTransaction(this.app.ds, this.tenant, (m) =>
          m.query(`UPDATE import_jobs j SET processed = $2 WHERE j.id = $1 AND j.status = 'RUNNING' RETURNING ${IMPORT_JOB_COLUMNS}`, [
            this.payload.jobId,
            processed,
          ]),
        ),
      );
      if (job) publishJob(this.app, this.tenant, job);
    } catch (error) {
      this.app.logger.warn('could not write import progress', { jobId: this.payload.jobId, error });
    }
  }

  private async stopTicker(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    await this.ticking;
  }

  private async dropStaging(): Promise<void> {
    await inTenantTransaction(this.app.ds, this.tenant, async (m) => {
      await m.query(`DELETE FROM import_rows WHERE organization_id = app_tenant() AND job_id = $1`, [this.payload.jobId]);
      await m.query(`DELETE FROM import_chunks WHERE organization_id = app_tenant() AND job_id = $1`, [this.payload.jobId]);
    }).catch(
      (error: unknown) => this.app.logger.warn('could not drop staged import rows', { jobId: this.payload.jobId, error }),
    );
  }
}
