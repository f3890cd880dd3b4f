import { NotFoundError } from '../../platform/errors.js';
import { inOwnScope, type LiveCaller } from '../../platform/live/live-context.js';
import { IMPORT_TOPICS, jobOfEvent, type ImportJobEvent } from './import.events.js';
import { assertMayReadJobs, ImportJobService } from './import.service.js';
import { ImportJobStatus, type ImportJob } from './import.types.js';

const FINISHED = new Set<string>([ImportJobStatus.SUCCEEDED, ImportJobStatus.FAILED]);

/**
 * importJobUpdated: a job's state at once, then at each change (progress at least every second
 * while it runs); the subscription completes once the job has SUCCEEDED or FAILED.
 */
export class ImportJobFeed {
  constructor(private readonly caller: LiveCaller) {}

  async subscribe(id: string): Promise<AsyncIterable<ImportJob>> {
    const { app, principal, live } = this.caller;
    assertMayReadJobs(principal);
    const wanted = id.toLowerCase();
    let stop = () => {};
    const queue = live.queue<ImportJob>(() => stop());
    // Listen first, so that nothing between the first read and the first event is missed.
    let early: ImportJob[] | null = [];
    const emit = (job: ImportJob) => {
      live.deliver(queue, job);
      if (FINISHED.has(job.status)) queue.end();
    };
    stop = app.pubsub.subscribe(principal.organizationId, IMPORT_TOPICS.jobUpdated, (payload) => {
      const event = payload as ImportJobEvent;
      if (event.id !== wanted) return;
      if (early) early.push(jobOfEvent(event));
      else emit(jobOfEvent(event));
    });
    let job: ImportJob | null;
    try {
      job = await inOwnScope(app, principal, (scope) => new ImportJobService(scope).find(id));
    } catch (error) {
      stop();
      throw error;
    }
    if (!job) {
      stop();
      throw new NotFoundError('Import job', id);
    }
    const pending = early;
    early = null;
    emit(job);
    for (const later of pending) if (!FINISHED.has(job.status)) emit(later);
    return queue;
  }
}
