import type { AppServices } from './platform/context.js';
import type { JobQueue } from './platform/jobs/job-queue.js';
import { IMPORT_TASK, importTask } from './modules/imports/import-runner.js';
import { WEBHOOK_CONCURRENCY, webhookDeliveryTask } from './modules/webhooks/webhook-delivery.task.js';
import { WEBHOOK_DELIVERY_TASK } from './modules/webhooks/webhook.events.js';

/** Every task type the job queue runs; a feature adds its own here. */
export function registerTasks(queue: JobQueue, app: AppServices): void {
  queue.register(IMPORT_TASK, importTask(app));
  // Attempts wait up to 10 s on the partner's endpoint: on workers of their own, never in an import's way.
  queue.register(WEBHOOK_DELIVERY_TASK, webhookDeliveryTask(app), { concurrency: WEBHOOK_CONCURRENCY });
}
