import { Arg, Authorized, Ctx, Field, InputType, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { Organization } from './organization.entity.js';
import { OrganizationService } from './organization.service.js';

@InputType()
export class UpdateOrganizationInput {
  @Field({ nullable: true })
  name?: string;

  @Field({ nullable: true, description: 'IANA time zone, such as Europe/Paris.' })
  timezone?: string;
}

@Resolver()
export class OrganizationResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => Organization, { description: 'The caller’s organization.' })
  organization(@Ctx() ctx: RequestContext): Promise<Organization> {
    return new OrganizationService(tenantOf(ctx)).current();
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Organization, { description: 'Renames the organization or changes its time zone.' })
  updateOrganization(@Arg('input') input: UpdateOrganizationInput, @Ctx() ctx: RequestContext): Promise<Organization> {
    return new OrganizationService(tenantOf(ctx)).update(input);
  }
}
