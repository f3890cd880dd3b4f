import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import type { Connection } from '../../platform/sql/connection.js';
import { CreatedWebhook, CreateWebhookInput, UpdateWebhookInput } from './webhook.inputs.js';
import { WebhookService } from './webhook.service.js';
import { Webhook, WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryStatus } from './webhook.types.js';

@Resolver()
export class WebhookResolver {
  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => [Webhook], { description: 'The organization’s webhooks, oldest first. Secrets are never returned here.' })
  webhooks(@Ctx() ctx: RequestContext): Promise<Webhook[]> {
    return new WebhookService(tenantOf(ctx)).list();
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: 'A webhook’s deliveries, newest first: status, attempts and the last answer of each.' })
  webhookDeliveries(
    @Arg('webhookId', () => ID, { description: 'The webhook.' }) webhookId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 0 to 100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true, description: 'Only deliveries in this status.' }) status: WebhookDeliveryStatus | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<WebhookDelivery>> {
    return new WebhookService(tenantOf(ctx)).deliveries(webhookId, first, after, status);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => CreatedWebhook, { description: 'Registers a webhook; its signing secret is in the answer and nowhere else.' })
  createWebhook(@Arg('input', { description: 'The URL, the events and a note.' }) input: CreateWebhookInput, @Ctx() ctx: RequestContext): Promise<CreatedWebhook> {
    return new WebhookService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Webhook, { description: 'Changes a webhook’s URL, events, note, or whether it is enabled.' })
  updateWebhook(
    @Arg('id', () => ID, { description: 'The webhook.' }) id: string,
    @Arg('input', { description: 'What to change.' }) input: UpdateWebhookInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Webhook> {
    return new WebhookService(tenantOf(ctx)).update(id, input);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Boolean, { description: 'Deletes a webhook and its delivery log; nothing more is sent to it.' })
  deleteWebhook(@Arg('id', () => ID, { description: 'The webhook.' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return new WebhookService(tenantOf(ctx)).delete(id);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => CreatedWebhook, { description: 'Makes a new signing secret (in the answer only); the old one also signs for 24 hours.' })
  rotateWebhookSecret(@Arg('id', () => ID, { description: 'The webhook.' }) id: string, @Ctx() ctx: RequestContext): Promise<CreatedWebhook> {
    return new WebhookService(tenantOf(ctx)).rotateSecret(id);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => WebhookDelivery, { description: 'Sends a delivery again now, with the same webhook-id, retried on the full schedule should it fail.' })
  redeliverWebhook(@Arg('deliveryId', () => ID, { description: 'The delivery.' }) deliveryId: string, @Ctx() ctx: RequestContext): Promise<WebhookDelivery> {
    return new WebhookService(tenantOf(ctx)).redeliver(deliveryId);
  }
}
