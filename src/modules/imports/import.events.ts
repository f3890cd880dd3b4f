import type { AppServices } from '../../platform/context.js';
import type { ImportJob } from './import.types.js';

/** Topics the imports feature publishes on (each is prefixed by the tenant id). */
export const IMPORT_TOPICS = {
  /** A job was created, made progress, or finished; the payload is the job as ImportJobEvent. */
  jobUpdated: 'import-job-updated',
} as const;

/** Payload of `jobUpdated`: the job, its times as ISO strings so that it crosses Redis unchanged. */
export interface ImportJobEvent extends Omit<ImportJob, 'createdAt' | 'startedAt' | 'finishedAt'> {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The job as its event carries it. */
export function jobEvent(job: ImportJob): ImportJobEvent {
  return {
    ...job,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** The job back from its event. */
export function jobOfEvent(event: ImportJobEvent): ImportJob {
  return {
    ...event,
    createdAt: new Date(event.createdAt),
    startedAt: event.startedAt ? new Date(event.startedAt) : null,
    finishedAt: event.finishedAt ? new Date(event.finishedAt) : null,
  };
}

/** Publishes a job's new state (after the transaction that wrote it committed). */
export function publishJob(app: AppServices, tenantId: string, job: ImportJob): void {
  void app.pubsub.publish(tenantId, IMPORT_TOPICS.jobUpdated, jobEvent(job));
}
