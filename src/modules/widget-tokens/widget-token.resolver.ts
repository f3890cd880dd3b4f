import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { WidgetToken } from './widget-token.types.js';
import { CreatedWidgetToken, CreateWidgetTokenInput } from './widget-token.inputs.js';
import { WidgetTokenService } from './widget-token.service.js';

@Resolver()
export class WidgetTokenResolver {
  @Authorized(ApiKeyScope.ADMIN)
  @Query(() => [WidgetToken], { description: 'The organization’s widget tokens, newest first. Tokens themselves are never returned.' })
  widgetTokens(@Ctx() ctx: RequestContext): Promise<WidgetToken[]> {
    return new WidgetTokenService(tenantOf(ctx)).list();
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => CreatedWidgetToken, { description: 'Creates a widget token; the token is in the answer and nowhere else.' })
  createWidgetToken(
    @Arg('input', { description: 'What the token may read and the page origins it works from.' }) input: CreateWidgetTokenInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedWidgetToken> {
    return new WidgetTokenService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => WidgetToken, { description: 'Revokes a widget token at once; the sockets of the widgets using it close.' })
  revokeWidgetToken(@Arg('id', () => ID, { description: 'The token’s id.' }) id: string, @Ctx() ctx: RequestContext): Promise<WidgetToken> {
    return new WidgetTokenService(tenantOf(ctx)).revoke(id);
  }
}
