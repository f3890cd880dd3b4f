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
  valuesConfig: {
    CONNECTED: { description: 'First contact: the person is known. The start of the funnel.' },
    ENGAGED: { description: 'The person interacts: replies, comments, shows up.' },
    LEAD: { description: 'The person has shown buying interest.' },
    OPPORTUNITY: { description: 'A concrete deal is being discussed.' },
    CUSTOMER: { description: 'The person (or their company) buys. The end of the funnel.' },
  },
});
