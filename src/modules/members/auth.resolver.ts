import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../platform/context.js';
import { AuthPayload } from './member.types.js';
import { LogInInput, SignUpInput } from './auth.inputs.js';
import { AuthService } from './auth.service.js';

/** The two public operations: everything else needs a credential. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a user and an organization they own, and signs them in.' })
  signUp(
    @Arg('input', { description: 'Email, password and the new organization’s name.' }) input: SignUpInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    return new AuthService(ctx.app, ctx).signUp(input);
  }

  @Mutation(() => AuthPayload, { description: 'Signs in to one organization. Wrong email and wrong password answer alike.' })
  logIn(
    @Arg('input', { description: 'Email, password and, for a user of several organizations, the organization’s slug.' }) input: LogInInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    return new AuthService(ctx.app, ctx).logIn(input);
  }
}
