import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { Community, CommunityConnection } from './community.types.js';
import { CommunityFilter, CreateCommunityInput, UpdateCommunityInput } from './community.inputs.js';
import { CommunityService } from './community.service.js';
import type { Connection } from '../../platform/sql/connection.js';

@Resolver(() => Community)
export class CommunityResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => CommunityConnection, {
    description: 'Communities in the order they were created. Archived ones are included unless filter.archived is false.',
  })
  communities(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after?: string | null,
    @Arg('filter', () => CommunityFilter, { description: 'Only the communities that match.', nullable: true }) filter?: CommunityFilter | null,
  ): Promise<Connection<Community>> {
    return new CommunityService(tenantOf(ctx)).list(first, after, filter);
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => Community, { nullable: true, description: 'A community, archived or not; null when there is none with this id.' })
  community(@Arg('id', () => ID, { description: 'The community’s id.' }) id: string, @Ctx() ctx: RequestContext): Promise<Community | null> {
    return new CommunityService(tenantOf(ctx)).find(id);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Community, { description: 'Records a community the organization works in. Needs WRITE.' })
  createCommunity(
    @Arg('input', () => CreateCommunityInput, { description: 'The new community.' }) input: CreateCommunityInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Community> {
    return new CommunityService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Community, { description: 'Changes the given fields; archived communities can be edited too.' })
  updateCommunity(
    @Arg('id', () => ID, { description: 'The community to change.' }) id: string,
    @Arg('input', () => UpdateCommunityInput, { description: 'The changes; fields left out stay as they are.' }) input: UpdateCommunityInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Community> {
    return new CommunityService(tenantOf(ctx)).update(id, input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Community, {
    description:
      'Archives a community: it, its relationships and their history stay readable, but it takes no new relationships. Archiving twice changes nothing.',
  })
  archiveCommunity(@Arg('id', () => ID, { description: 'The community to archive.' }) id: string, @Ctx() ctx: RequestContext): Promise<Community> {
    return new CommunityService(tenantOf(ctx)).archive(id);
  }

  @FieldResolver(() => Boolean, { description: 'Whether archivedAt is set.' })
  archived(@Root() community: Community): boolean {
    return community.archivedAt !== null;
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => Int, { description: 'How many relationships it has.' })
  async relationshipCount(@Root() community: Community, @Ctx() ctx: RequestContext): Promise<number> {
    return (await new CommunityService(tenantOf(ctx)).counts(community.id)).total;
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => Int, { description: 'How many of its relationships are qualified.' })
  async qualifiedRelationshipCount(@Root() community: Community, @Ctx() ctx: RequestContext): Promise<number> {
    return (await new CommunityService(tenantOf(ctx)).counts(community.id)).qualified;
  }
}
