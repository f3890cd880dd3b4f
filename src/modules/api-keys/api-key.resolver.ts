import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { ApiKey } from './api-key.types.js';
import { CreateApiKeyInput } from './api-key.inputs.js';
import { CreatedApiKey } from './api-key.types.js';
import { ApiKeyService } from './api-key.service.js';

@Resolver()
export class ApiKeyResolver {
  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => [ApiKey], { description: 'The organization’s API keys, newest first. Secrets are never returned.' })
  apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    return new ApiKeyService(tenantOf(ctx)).list();
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'Creates an API key; its secret is in the answer and nowhere else.' })
  createApiKey(
    @Arg('input', { description: 'The key’s name, scopes and optional expiry.' }) input: CreateApiKeyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedApiKey> {
    return new ApiKeyService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => ApiKey, { description: 'Revokes a key at once, its open subscriptions included.' })
  revokeApiKey(@Arg('id', () => ID, { description: 'The key to revoke.' }) id: string, @Ctx() ctx: RequestContext): Promise<ApiKey> {
    return new ApiKeyService(tenantOf(ctx)).revoke(id);
  }
}
