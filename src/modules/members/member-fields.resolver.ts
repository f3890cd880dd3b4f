import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { Relationship } from '../relationships/relationship.types.js';
import { RoiModelVersion } from '../roi/roi.types.js';
import { memberById } from './member.loaders.js';
import { User } from './member.types.js';

/** Relationship.owner: members own the data it reads. */
@Resolver(() => Relationship)
export class RelationshipOwnerResolver {
  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => User, { nullable: true, description: 'The member who created it; null when an API key did.' })
  owner(@Root() relationship: Relationship, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return relationship.ownerId ? tenantOf(ctx).loader(memberById).load(relationship.ownerId) : null;
  }
}

/** RoiModelVersion.createdBy: members own the data it reads. */
@Resolver(() => RoiModelVersion)
export class RoiModelVersionCreatorResolver {
  @FieldResolver(() => User, { nullable: true, description: 'The member who saved this version (null for an API key).' })
  createdBy(@Root() version: RoiModelVersion, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return version.createdByUserId ? tenantOf(ctx).loader(memberById).load(version.createdByUserId) : null;
  }
}
