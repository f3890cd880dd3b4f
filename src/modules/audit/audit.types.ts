import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/pagination.js';

/** Who can act: a member signed in with a session, or an API key. */
export enum AuditActorKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
  SYSTEM = 'SYSTEM',
}

registerEnumType(AuditActorKind, {
  name: 'AuditActorKind',
  description: 'What kind of caller acted.',
  valuesConfig: {
    USER: { description: 'A member, with a session token.' },
    API_KEY: { description: 'An API key.' },
    SYSTEM: { description: 'Rapport itself (such as webhookDisabled, after 24 hours of failed deliveries); its id is the nil UUID.' },
  },
});

@ObjectType({ description: 'Who did something.' })
export class AuditActor {
  @Field(() => AuditActorKind, { description: 'A member or an API key.' })
  kind!: AuditActorKind;

  @Field(() => ID, { description: 'The user’s or the key’s id.' })
  id!: string;

  @Field({ description: 'The user’s email or the key’s name, as it was at the time.' })
  name!: string;
}

@ObjectType({ description: 'One mutation that succeeded: who ran it, when, on what, in which request.' })
export class AuditEvent {
  @Field(() => ID, { description: 'The event’s id.' })
  id!: string;

  @Field({ description: 'When the mutation ran.' })
  at!: Date;

  @Field({ description: 'The mutation’s name, such as createApiKey.' })
  action!: string;

  @Field(() => AuditActor, { description: 'Who ran it.' })
  actor!: AuditActor;

  @Field(() => ID, { nullable: true, description: 'The id of what it acted on, when it acted on one thing.' })
  targetId!: string | null;

  @Field({ description: 'The request’s id (the x-request-id header of its answer).' })
  requestId!: string;
}

/** A page of audit events, newest first. */
export const AuditEventConnection = ConnectionType(AuditEvent, 'AuditEvent');

@InputType({ description: 'Which audit events to read; every given field must match.' })
export class AuditLogFilter {
  @Field({ nullable: true, description: 'Only this mutation, such as updateMemberRole.' })
  action?: string;

  @Field(() => ID, { nullable: true, description: 'Only events of this user or API key.' })
  actorId?: string;

  @Field({ nullable: true, description: 'Only events at or after this time.' })
  from?: Date;

  @Field({ nullable: true, description: 'Only events before this time.' })
  to?: Date;
}
