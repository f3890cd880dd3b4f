import type { AppServices } from './platform/context.js';
import type { JobQueue } from './platform/jobs/job-queue.js';
import { IMPORT_TASK, importTask } from './modules/imports/import-runner.js';
import { webhookDeliveryTask } from './modules/webhooks/webhook-delivery.task.js';
import { WEBHOOK_DELIVERY_TASK } from './modules/webhooks/webhook.events.js';

/** Every task type the job queue runs; a feature adds its own here. */
export function registerTasks(queue: JobQueue, app: AppServices): void {
  queue.register(IMPORT_TASK, importTask(app));
  queue.register(WEBHOOK_DELIVERY_TASK, webhookDeliveryTask(app));
}
