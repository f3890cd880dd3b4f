import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { Community } from '../communities/community.types.js';
import { CommunityService } from '../communities/community.service.js';
import { RELATIONSHIP_FIELDS, RELATIONSHIP_NEEDS } from './relationship.table.js';
import { Relationship, RelationshipConnection } from './relationship.types.js';
import { CommunityRelationshipFilter, CreateRelationshipInput, RelationshipFilter, UpdateRelationshipInput } from './relationship.inputs.js';
import { nodeProjection } from '../../platform/sql/projection.js';
import { RelationshipService } from './relationship.service.js';
import { RelationshipStageChange } from './relationship.types.js';
import { STRENGTH_DESCRIPTION } from './strength.js';
import type { Connection } from '../../platform/sql/connection.js';

@Resolver(() => Relationship)
export class RelationshipResolver {
  @Authorized(ApiKeyScope.READ)
  @Query(() => RelationshipConnection, { description: 'Relationships in the order they were created.' })
  relationships(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after?: string | null,
    @Arg('filter', () => RelationshipFilter, { description: 'Only the relationships that match.', nullable: true }) filter?: RelationshipFilter | null,
  ): Promise<Connection<Relationship>> {
    return new RelationshipService(tenantOf(ctx)).list(first, after, filter);
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => Relationship, { nullable: true, description: 'A relationship; null when there is none with this id.' })
  relationship(@Arg('id', () => ID, { description: 'The relationship’s id.' }) id: string, @Ctx() ctx: RequestContext): Promise<Relationship | null> {
    return new RelationshipService(tenantOf(ctx)).find(id);
  }

  @Authorized(ApiKeyScope.INGEST)
  @Mutation(() => Relationship, {
    description: 'Creates a relationship in a community that is not archived (an archived one gives BAD_USER_INPUT on communityId).',
  })
  createRelationship(
    @Arg('input', () => CreateRelationshipInput, { description: 'The new relationship.' }) input: CreateRelationshipInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Relationship> {
    return new RelationshipService(tenantOf(ctx)).create(input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Relationship, { description: 'Changes the given fields; every stage change is kept with its time in stageChanges.' })
  updateRelationship(
    @Arg('id', () => ID, { description: 'The relationship to change.' }) id: string,
    @Arg('input', () => UpdateRelationshipInput, { description: 'The changes; fields left out stay as they are.' }) input: UpdateRelationshipInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Relationship> {
    return new RelationshipService(tenantOf(ctx)).update(id, input);
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => Community, { description: 'The community where the relationship was made.' })
  async community(@Root() relationship: Relationship, @Ctx() ctx: RequestContext): Promise<Community> {
    return (await new CommunityService(tenantOf(ctx)).find(relationship.communityId))!;
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => [RelationshipStageChange], { description: 'Every stage it has been in, oldest first, starting with its creation.' })
  stageChanges(@Root() relationship: Relationship, @Ctx() ctx: RequestContext): Promise<RelationshipStageChange[]> {
    return new RelationshipService(tenantOf(ctx)).stageChanges(relationship.id);
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => Float, { description: STRENGTH_DESCRIPTION })
  strength(@Root() relationship: Relationship, @Ctx() ctx: RequestContext): Promise<number> {
    return new RelationshipService(tenantOf(ctx)).strength(relationship.id);
  }
}

/** Community.relationships: relationships own the data it reads. */
@Resolver(() => Community)
export class CommunityRelationshipsResolver {
  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => RelationshipConnection, { description: 'Its relationships in the order they were created.' })
  relationships(
    @Root() community: Community,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { description: 'A cursor from a previous page (its pageInfo.endCursor): items after it.', nullable: true }) after?: string | null,
    @Arg('filter', () => CommunityRelationshipFilter, { description: 'Only the relationships that match.', nullable: true }) filter?: CommunityRelationshipFilter | null,
  ): Promise<Connection<Relationship>> {
    return new RelationshipService(tenantOf(ctx)).ofCommunity(
      community.id,
      first,
      after,
      filter,
      nodeProjection(info, RELATIONSHIP_FIELDS, RELATIONSHIP_NEEDS),
    );
  }
}
