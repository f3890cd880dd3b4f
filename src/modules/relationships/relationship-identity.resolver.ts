import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { DuplicateGroup } from './relationship-duplicates.types.js';
import { RelationshipDuplicatesService } from './relationship-duplicates.service.js';
import { RelationshipIdentity } from './relationship-identity.types.js';
import { RelationshipIdentityService } from './relationship-identity.service.js';
import { RelationshipMergeService } from './relationship-merge.service.js';
import { Relationship } from './relationship.types.js';
import { RelationshipIdentityInput } from './relationship.inputs.js';

/** One person on several channels: identities, duplicates and merges. */
@Resolver(() => Relationship)
export class RelationshipIdentityResolver {
  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => [RelationshipIdentity], {
    description: 'The person’s handles: its own handle on its community’s platform first, then the ones added or merged in.',
  })
  identities(@Root() relationship: Relationship, @Ctx() ctx: RequestContext): Promise<RelationshipIdentity[]> {
    return new RelationshipIdentityService(tenantOf(ctx)).identities(relationship.id);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Relationship, {
    description:
      'Adds a handle of the person on a platform. One it has already changes nothing; one another relationship holds is BAD_USER_INPUT ' +
      'with that relationship’s id in extensions.relationshipId (merge them). At most 50 added identities.',
  })
  addRelationshipIdentity(
    @Arg('relationshipId', () => ID, { description: 'The relationship.' }) relationshipId: string,
    @Arg('input', () => RelationshipIdentityInput, { description: 'The platform and handle.' }) input: RelationshipIdentityInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Relationship> {
    return new RelationshipIdentityService(tenantOf(ctx)).add(relationshipId, input);
  }

  @Authorized(ApiKeyScope.WRITE)
  @Mutation(() => Relationship, {
    description:
      'Merges relationships that are one person into the target, in one transaction: it keeps its id and gets every conversation, ' +
      'stage change and identity of the sources (their handles become identities), the earliest connectedAt, for each stage the earliest ' +
      'time any reached it, the furthest current stage, and qualified when any was. The sources are then gone (their ids are unknown).',
  })
  mergeRelationships(
    @Arg('targetId', () => ID, { description: 'The relationship that stays.' }) targetId: string,
    @Arg('sourceIds', () => [ID], { description: '1 to 20 other relationships of the same person, merged into the target.' }) sourceIds: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<Relationship> {
    return new RelationshipMergeService(tenantOf(ctx)).merge(targetId, sourceIds);
  }

  @Authorized(ApiKeyScope.READ)
  @Query(() => [DuplicateGroup], {
    description:
      'Groups of relationships that look like one person, best score first. Each call looks for the duplicates of the 2,000 most ' +
      'recently created relationships (compared with all, through indexes; at most 5 similar names each).',
  })
  relationshipDuplicates(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: 'How many groups, default 20, at most 100.' }) first?: number | null,
  ): Promise<DuplicateGroup[]> {
    return new RelationshipDuplicatesService(tenantOf(ctx)).find(first);
  }
}
