import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { tenantOf, type RequestContext } from '../../platform/context.js';
import { Relationship } from '../relationships/relationship.entity.js';
import { RelationshipService } from '../relationships/relationship.service.js';
import { Conversation } from './conversation.entity.js';
import { LogConversationInput } from './conversation.inputs.js';
import { ConversationService } from './conversation.service.js';

@Resolver(() => Conversation)
export class ConversationResolver {
  @Authorized(ApiKeyScope.INGEST)
  @Mutation(() => Conversation, { description: 'Logs a conversation of a relationship; it counts toward the relationship’s strength.' })
  logConversation(@Arg('input', () => LogConversationInput) input: LogConversationInput, @Ctx() ctx: RequestContext): Promise<Conversation> {
    return new ConversationService(tenantOf(ctx)).log(input);
  }

  @Authorized(ApiKeyScope.READ)
  @FieldResolver(() => Relationship)
  async relationship(@Root() conversation: Conversation, @Ctx() ctx: RequestContext): Promise<Relationship> {
    return (await new RelationshipService(tenantOf(ctx)).find(conversation.relationshipId))!;
  }
}
