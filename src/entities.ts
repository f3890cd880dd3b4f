import { ApiKey } from './modules/api-keys/api-key.entity.js';
import { Membership } from './modules/members/membership.entity.js';
import { User } from './modules/members/user.entity.js';
import { Organization } from './modules/organizations/organization.entity.js';
import { Community } from './modules/communities/community.entity.js';
import { Relationship } from './modules/relationships/relationship.entity.js';
import { RelationshipStageChange } from './modules/relationships/stage-change.entity.js';
import { Conversation } from './modules/conversations/conversation.entity.js';
import { MetricDefinition } from './modules/metrics/metric-definition.entity.js';
import { Goal } from './modules/goals/goal.entity.js';

/** Every TypeORM entity; a feature adds its own here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const entities: Function[] = [Organization, User, Membership, ApiKey, Community, Relationship, RelationshipStageChange, Conversation, MetricDefinition, Goal];
