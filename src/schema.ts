import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeScalar } from './platform/date-time.js';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './platform/auth/auth-checker.js';
import { auditEveryMutation } from './platform/audit.js';
import { ApiKeyResolver } from './modules/api-keys/api-key.resolver.js';
import { WidgetTokenResolver } from './modules/widget-tokens/widget-token.resolver.js';
import { OrganizationResolver } from './modules/organizations/organization.resolver.js';
import { ViewerResolver } from './modules/members/viewer.resolver.js';
import { AuthResolver } from './modules/members/auth.resolver.js';
import { TeamResolver } from './modules/members/team.resolver.js';
import { AuditResolver } from './modules/audit/audit.resolver.js';
import { CommunityResolver } from './modules/communities/community.resolver.js';
import { CommunityRelationshipsResolver, RelationshipResolver } from './modules/relationships/relationship.resolver.js';
import { RelationshipIdentityResolver } from './modules/relationships/relationship-identity.resolver.js';
import { ConversationResolver, RelationshipConversationsResolver } from './modules/conversations/conversation.resolver.js';
import { MetricResolver } from './modules/metrics/metric.resolver.js';
import { GoalResolver } from './modules/goals/goal.resolver.js';
import { RoiCommunityFiguresResolver, RoiModelResolver, RoiReportResolver } from './modules/roi/roi.resolver.js';
import { RelationshipOwnerResolver, RoiModelVersionCreatorResolver } from './modules/members/member-fields.resolver.js';
import { ImportResolver } from './modules/imports/import.resolver.js';
import { InsightsResolver } from './modules/insights/insights.resolver.js';
import { registerWriteHooks } from './hooks.js';
import { WebhookResolver } from './modules/webhooks/webhook.resolver.js';
import { NO_TOPIC_PUBSUB } from './platform/live/no-topic-pubsub.js';
import type { JsonEdge } from './platform/sql/json-read.js';
import { VIEWER_JSON_READS } from './modules/members/viewer.table.js';
import { COMMUNITY_JSON_READS } from './modules/communities/community.table.js';
import { RELATIONSHIP_JSON_READS } from './modules/relationships/relationship.table.js';
import { CONVERSATION_JSON_READS } from './modules/conversations/conversation.table.js';

/** Every resolver of the API; a feature adds its own here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  AuthResolver,
  ViewerResolver,
  OrganizationResolver,
  ApiKeyResolver,
  WidgetTokenResolver,
  CommunityResolver,
  RelationshipResolver,
  CommunityRelationshipsResolver,
  RelationshipOwnerResolver,
  RelationshipIdentityResolver,
  ConversationResolver,
  RelationshipConversationsResolver,
  MetricResolver,
  GoalResolver,
  RoiModelResolver,
  RoiModelVersionCreatorResolver,
  RoiReportResolver,
  RoiCommunityFiguresResolver,
  TeamResolver,
  AuditResolver,
  ImportResolver,
  InsightsResolver,
  WebhookResolver,
];

/** The connections and objects the compiled read serves in one statement (platform/json-read-plugin.ts); a feature adds its own here. */
export const jsonReads: readonly JsonEdge[] = [...COMMUNITY_JSON_READS, ...RELATIONSHIP_JSON_READS, ...CONVERSATION_JSON_READS, ...VIEWER_JSON_READS];

let built: Promise<GraphQLSchema> | undefined;

/** type-graphql has no option for the root types' descriptions; they are set on the built schema. */
const ROOT_DESCRIPTIONS = {
  Query: 'Reads. Everything is scoped to the caller’s organization.',
  Mutation: 'Changes. Each mutation runs in one transaction: on an error nothing is written.',
  Subscription: 'Live updates over WebSocket (graphql-transport-ws on /graphql).',
};

function describeRoots(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (type) type.description = ROOT_DESCRIPTIONS[type.name as keyof typeof ROOT_DESCRIPTIONS];
  }
  return schema;
}

/** Builds the executable schema once per process (type-graphql metadata is global). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  registerWriteHooks();
  built ??= buildSchema({
    resolvers,
    authChecker,
    validate: false, // input is checked by the services (platform/input.ts), not by class-validator
    emitSchemaFile: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    pubSub: NO_TOPIC_PUBSUB, // required with subscriptions; ours all bring their own tenant-scoped `subscribe`
  })
    .then(auditEveryMutation)
    .then(describeRoots);
  return built;
}
