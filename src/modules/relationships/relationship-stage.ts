import { registerEnumType } from 'type-graphql';

/** Where a relationship stands in the funnel, in this order. */
export enum RelationshipStage {
  CONNECTED = 'CONNECTED',
  ENGAGED = 'ENGAGED',
  LEAD = 'LEAD',
  OPPORTUNITY = 'OPPORTUNITY',
  CUSTOMER = 'CUSTOMER',
}

registerEnumType(RelationshipStage, {
  name: 'RelationshipStage',
  description: 'A funnel, in this order: CONNECTED, ENGAGED, LEAD, OPPORTUNITY, CUSTOMER.',
});
