import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  Logger as WorkerLogger,
  makeWorkerUtils,
  run,
  type JobHelpers,
  type Runner,
  type TaskList,
  type WorkerEvents,
  type WorkerUtils,
} from 'graphile-worker';
import { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import type { Logger } from '../logger.js';

/** What a task gets besides its payload. */
export interface JobRun {
  /** The queue's id of this job, and how many times it has been started (1 on the first run). */
  jobId: string;
  attempt: number;
  maxAttempts: number;
  /** Aborted when the node stops: the task should stop at its next safe point and throw. */
  signal: AbortSignal;
}

/** A task type: what runs a job of that name. Throwing makes the queue try it again later, up to its attempts. */
export type JobHandler<P> = (payload: P, run: JobRun) => Promise<void>;

/** Options of a JobQueue; every one has a default fit for production. */
export interface JobQueueOptions {
  /** Jobs one node runs at once. @default 2 */
  concurrency?: number;
  /** How often the node writes its heartbeat. @default 1000 ms */
  heartbeatMs?: number;
  /** A node whose heartbeat is older than this is taken for dead, and its locked jobs are released. @default 10000 ms */
  staleAfterMs?: number;
  /** Fallback polling when LISTEN/NOTIFY misses a job. @default 2000 ms */
  pollIntervalMs?: number;
}

/** Most attempts of a job unless its enqueuer says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The PostgreSQL job queue every node runs in process (graphile-worker underneath): any node
 * takes any job. Features register their task types before `start`, and enqueue jobs inside
 * their own transactions so a job exists exactly when the write that asked for it committed.
 *
 * graphile-worker frees the jobs of a crashed worker only after four hours; here each node
 * heartbeats its worker ids in `job_nodes`, and every node releases the jobs of nodes whose
 * heartbeat went stale, so a job interrupted by a crash runs again within seconds.
 */
export class JobQueue {
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  /** Task types that run on workers of their own, with their own concurrency. */
  private readonly lanes = new Map<string, number>();
  private readonly nodeId = `node-${randomBytes(6).toString('hex')}`;
  private readonly workerIds = new Set<string>();
  private readonly options: Required<JobQueueOptions>;
  private pool?: Pool;
  private runners: Runner[] = [];
  private utils?: WorkerUtils;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    options: JobQueueOptions = {},
  ) {
    this.options = { concurrency: 2, heartbeatMs: 1000, staleAfterMs: 10_000, pollIntervalMs: 2000, ...options };
  }

  /**
   * Registers the handler of a task type; before `start`. With `lane`, the task runs on workers of
   * its own (that many at once on each node), so its jobs never wait behind the shared workers'
   * jobs nor hold them up (webhook attempts that wait 10 s on a slow endpoint, beside imports).
   */
  register<P>(task: string, handler: JobHandler<P>, lane?: { concurrency: number }): void {
    if (this.runners.length) throw new Error('register task types before the queue starts');
    this.handlers.set(task, handler as JobHandler<unknown>);
    if (lane) this.lanes.set(task, lane.concurrency);
  }

  /** Starts this node's workers, its heartbeat and the sweep of dead nodes. */
  async start(): Promise<void> {
    const lanes = [
      { tasks: [...this.handlers.keys()].filter((t) => !this.lanes.has(t)), concurrency: this.options.concurrency },
      ...[...this.lanes].map(([task, concurrency]) => ({ tasks: [task], concurrency })),
    ].filter((l) => l.tasks.length);
    const workers = lanes.reduce((n, l) => n + l.concurrency, 0);
    this.pool = new Pool({ connectionString: this.databaseUrl, max: workers + 3, application_name: 'rapport-jobs' });
    this.pool.on('error', (error) => this.logger.warn('job queue connection error', { error }));
    this.pool.on('connect', (client) => client.on('error', (error) => this.logger.warn('job queue connection error', { error })));
    const events: WorkerEvents = new EventEmitter();
    // Jobs are locked by a worker's id, or by its pool's id when the pool fetches them for its workers.
    events.on('pool:create', ({ workerPool }) => this.workerIds.add(workerPool.id));
    events.on('worker:create', ({ worker }) => this.workerIds.add(worker.workerId));
    events.on('worker:release', ({ worker }) => this.workerIds.delete(worker.workerId));
    const shared = { pgPool: this.pool, logger: workerLogger(this.logger), noPreparedStatements: true };
    this.utils = await makeWorkerUtils(shared);
    await this.utils.migrate();
    // Each lane's workers fetch only the jobs of its own task types.
    for (const lane of lanes) {
      this.runners.push(
        await run({
          ...shared,
          events,
          concurrency: lane.concurrency,
          pollInterval: this.options.pollIntervalMs,
          noHandleSignals: true,
          taskList: this.taskList(lane.tasks),
        }),
      );
    }
    await this.heartbeat();
    this.timer = setInterval(() => void (this.beating ??= this.heartbeat().finally(() => (this.beating = undefined))), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Stops taking jobs; running ones are asked to stop (they roll back and run again elsewhere). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await Promise.all(this.runners.map((r) => r.stop().catch((error: unknown) => this.logger.warn('job queue stop failed', { error }))));
    await this.pool?.query('DELETE FROM job_nodes WHERE node_id = $1', [this.nodeId]).catch(() => undefined);
    await this.utils?.release();
    await this.pool?.end();
  }

  /**
   * Adds a job in the caller's transaction (tenant-scoped or not): it exists only if that
   * transaction commits.
   */
  static async enqueue(m: EntityManager, task: string, payload: object, options: { maxAttempts?: number; runAt?: Date } = {}): Promise<void> {
    await m.query(`SELECT enqueue_job($1, $2::json, $3, $4)`, [
      task,
      JSON.stringify(payload),
      options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      options.runAt ?? null,
    ]);
  }

  private taskList(tasks: string[]): TaskList {
    const list: TaskList = {};
    for (const name of tasks) {
      const handler = this.handlers.get(name)!;
      list[name] = async (payload: unknown, helpers: JobHelpers) => {
        const job = helpers.job;
        await handler(payload, { jobId: String(job.id), attempt: job.attempts, maxAttempts: job.max_attempts, signal: helpers.abortSignal });
      };
    }
    return list;
  }

  /** Writes this node's heartbeat, then releases the jobs of nodes whose heartbeat is stale. */
  private async heartbeat(): Promise<void> {
    const pool = this.pool!;
    try {
      await pool.query(
        `INSERT INTO job_nodes (node_id, worker_ids, heartbeat_at) VALUES ($1, $2, clock_timestamp())
         ON CONFLICT (node_id) DO UPDATE SET worker_ids = EXCLUDED.worker_ids, heartbeat_at = EXCLUDED.heartbeat_at`,
        [this.nodeId, [...this.workerIds]],
      );
      const { rows } = await pool.query<{ node_id: string; worker_ids: string[] }>(
        `DELETE FROM job_nodes WHERE heartbeat_at < clock_timestamp() - $1::int * interval '1 millisecond' RETURNING node_id, worker_ids`,
        [this.options.staleAfterMs],
      );
      const dead = rows.flatMap((r) => r.worker_ids);
      if (dead.length) {
        await this.utils!.forceUnlockWorkers(dead);
        this.logger.warn('released the jobs of stopped nodes', { nodes: rows.map((r) => r.node_id) });
      }
    } catch (error) {
      this.logger.warn('job queue heartbeat failed', { error });
    }
  }
}

/** graphile-worker's log lines through ours (its debug chatter stays at debug). */
function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    const fields = { source: 'graphile-worker', ...(meta as Record<string, unknown>) };
    if (level === 'error') logger.error(message, fields);
    else if (level === 'warning') logger.warn(message, fields);
    else logger.debug(message, fields);
  });
}
