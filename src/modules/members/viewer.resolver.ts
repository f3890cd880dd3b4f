import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { MemberService } from './member.service.js';
import { Viewer } from './member.types.js';

@Resolver()
export class ViewerResolver {
  @Authorized()
  @Query(() => Viewer, { description: 'Who is calling, in which organization, with which scopes.' })
  viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    return new MemberService(tenantOf(ctx)).viewer();
  }
}
