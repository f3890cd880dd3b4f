import { Authorized, Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { ApiKeyScope, Role } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { User } from './user.entity.js';
import { MemberService } from './member.service.js';

@ObjectType({ description: 'The caller: a member (user and role) or an API key, in one organization.' })
export class Viewer {
  @Field(() => Organization)
  organization!: Organization;

  @Field(() => User, { nullable: true })
  user!: User | null;

  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => Role, { nullable: true })
  role!: Role | null;

  @Field(() => [ApiKeyScope])
  scopes!: ApiKeyScope[];
}

@Resolver()
export class ViewerResolver {
  @Authorized()
  @Query(() => Viewer, { description: 'Who is calling, in which organization, with which scopes.' })
  viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    return new MemberService(tenantOf(ctx)).viewer();
  }
}
