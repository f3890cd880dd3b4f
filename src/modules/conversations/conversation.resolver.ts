import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Info, Int, Mutation, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import type { Connection } from '../../platform/sql/connection.js';
import { nodeProjection } from '../../platform/sql/projection.js';
import { Relationship } from '../relationships/relationship.types.js';
import { RelationshipService } from '../relationships/relationship.service.js';
import { CONVERSATION_FIELDS, CONVERSATION_NEEDS } from './conversation.table.js';
import { Conversation, ConversationConnection } from './conversation.types.js';
import { LogConversationInput } from './conversation.inputs.js';
import { ConversationService } from './conversation.service.js';

@Resolver(() => Conversation)
export class ConversationResolver {
  @Authorized(ApiKeyScope.INGEST)
  @Mutation(() => Conversation, { description: 'Logs a conversation of a relationship; it counts toward the relationship’s strength.' })
  logConversation(
    @Arg('input', () => LogConversationInput, { description: 'The conversation.' }) input: LogConversationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return new ConversationService(tenantOf(ctx)).log(input);
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => Relationship, { description: 'The relationship the conversation was with.' })
  async relationship(@Root() conversation: Conversation, @Ctx() ctx: RequestContext): Promise<Relationship> {
    return (await new RelationshipService(tenantOf(ctx)).find(conversation.relationshipId))!;
  }
}

/** Relationship.conversations: conversations own the data it reads. */
@Resolver(() => Relationship)
export class RelationshipConversationsResolver {
  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => ConversationConnection, { description: 'Its conversations in the order they were logged.' })
  conversations(
    @Root() relationship: Relationship,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { description: 'A cursor from a previous page (its pageInfo.endCursor): items after it.', nullable: true }) after?: string | null,
  ): Promise<Connection<Conversation>> {
    return new ConversationService(tenantOf(ctx)).ofRelationship(
      relationship.id,
      first,
      after,
      nodeProjection(info, CONVERSATION_FIELDS, CONVERSATION_NEEDS),
    );
  }
}
