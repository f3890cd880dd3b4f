import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';
import { WebhookEvent } from './webhook.events.js';

export { WebhookEvent };

/** Where a delivery is. */
export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  description: 'What a webhook can be told about; the `type` in the delivered body is given with each.',
  valuesConfig: {
    METRICS_RECORDED: { description: 'metrics.recorded: one per recordMetrics call or metrics import, with data.points.' },
    GOAL_REACHED: { description: 'goal.reached: a goal’s current value reached its target (its own metric’s points or, for a built-in metric, relationships, stages and conversations written); once per goal.' },
    RELATIONSHIP_STAGE_CHANGED: { description: 'relationship.stage_changed: a relationship moved to another stage (updateRelationship, an import, or a merge that gave it a later stage).' },
    IMPORT_FINISHED: { description: 'import.finished: an import job SUCCEEDED or FAILED.' },
    ROI_MODEL_UPDATED: { description: 'roi_model.updated: updateRoiModel saved a new version of a model.' },
  },
});
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery is.',
  valuesConfig: {
    PENDING: { description: 'Not answered with a 2xx yet; another attempt is due at nextAttemptAt.' },
    SUCCEEDED: { description: 'The endpoint answered 2xx within 10 seconds.' },
    FAILED: { description: 'Every attempt of the retry schedule failed (or the webhook was disabled); redeliverWebhook sends it again.' },
  },
});

@ObjectType({ description: 'An endpoint that is sent signed events (Standard Webhooks). Its secret is shown only by createWebhook and rotateWebhookSecret.' })
export class Webhook {
  @Field(() => ID, { description: 'The webhook’s id.' })
  id!: string;

  @Field({ description: 'Where deliveries are POSTed.' })
  url!: string;

  @Field(() => [WebhookEvent], { description: 'The events it is sent.' })
  events!: WebhookEvent[];

  @Field({ description: 'Whether deliveries are made; false after updateWebhook(enabled: false) or after 24 hours of failing every delivery.' })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'A note for people.' })
  description!: string | null;

  @Field({ description: 'When it was registered.' })
  createdAt!: Date;
}

@ObjectType({ description: 'One event sent to one webhook: its id is the webhook-id header of every attempt and redelivery.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'The delivery’s id, sent as the webhook-id header (the receiver’s idempotency key).' })
  id!: string;

  @Field(() => ID, { description: 'The webhook it is for.' })
  webhookId!: string;

  @Field(() => WebhookEvent, { description: 'What it tells of.' })
  event!: WebhookEvent;

  @Field(() => WebhookDeliveryStatus, { description: 'Where it is.' })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far, redeliveries included.' })
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'The HTTP status of the last answer; null when none came (refused, timed out, not tried yet).' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed; null when it succeeded or none was made.' })
  lastError!: string | null;

  @Field({ description: 'When the event happened (its transaction committed just after).' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When an attempt succeeded.' })
  deliveredAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null when none is.' })
  nextAttemptAt!: Date | null;
}

export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery');
