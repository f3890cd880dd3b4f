import { Field, InputType, ObjectType } from 'type-graphql';
import { Webhook, WebhookEvent } from './webhook.types.js';

@InputType({ description: 'A new webhook.' })
export class CreateWebhookInput {
  @Field({ description: 'Where to POST deliveries: https (http only where WEBHOOK_ALLOW_PRIVATE_NETWORKS), at most 2000 characters, resolving to public addresses.' })
  url!: string;

  @Field(() => [WebhookEvent], { description: 'The events to send it (at least one).' })
  events!: WebhookEvent[];

  @Field(() => String, { nullable: true, description: 'A note for people (at most 500 characters).' })
  description?: string | null;
}

@InputType({ description: 'Changes to a webhook; fields left out stay.' })
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true, description: 'A new URL, checked like createWebhook’s.' })
  url?: string | null;

  @Field(() => [WebhookEvent], { nullable: true, description: 'The events to send it from now on (at least one).' })
  events?: WebhookEvent[] | null;

  @Field(() => Boolean, { nullable: true, description: 'false stops deliveries; true starts them again (and forgets past failures).' })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'A new note; an empty string removes it.' })
  description?: string | null;
}

@ObjectType({ description: 'A webhook and its signing secret, shown only in this answer.' })
export class CreatedWebhook {
  @Field(() => Webhook, { description: 'The webhook.' })
  webhook!: Webhook;

  @Field({ description: 'The signing secret (whsec_…), for verifying deliveries with any Standard Webhooks library; shown only this once.' })
  secret!: string;
}
