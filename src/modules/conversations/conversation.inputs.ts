import { Field, Float, ID, InputType } from 'type-graphql';

@InputType({ description: 'A conversation that happened with a relationship.' })
export class LogConversationInput {
  @Field(() => ID, { description: 'The relationship the conversation was with; one of the organization’s.' })
  relationshipId!: string;

  @Field({ description: 'When it took place; not in the future (5 minutes of clock skew allowed).' })
  occurredAt!: Date;

  @Field(() => String, { nullable: true, description: 'Free text such as "dm", "comment" or "call", at most 100 characters.' })
  channel?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 10,000 characters.' })
  summary?: string | null;

  @Field(() => Float, { nullable: true, description: '-1..1; null when unknown.' })
  sentiment?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  qualified?: boolean | null;
}
