import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { UpdateOrganizationInput } from './organization.inputs.js';
import { Organization } from './organization.types.js';
import { OrganizationService } from './organization.service.js';

@Resolver()
export class OrganizationResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => Organization, { description: 'The caller’s organization.' })
  organization(@Ctx() ctx: RequestContext): Promise<Organization> {
    return new OrganizationService(tenantOf(ctx)).current();
  }

  @Authorized(ApiKeyScope.ADMIN)
  @Mutation(() => Organization, { description: 'Renames the organization or changes its time zone.' })
  updateOrganization(
    @Arg('input', { description: 'The changes; fields left out stay as they are.' }) input: UpdateOrganizationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Organization> {
    return new OrganizationService(tenantOf(ctx)).update(input);
  }
}
