import { Field, ObjectType } from 'type-graphql';

/** One handle of a person on one platform. */
@ObjectType({ description: 'A handle of the person of a relationship on one platform.', simpleResolvers: true })
export class RelationshipIdentity {
  @Field({ description: 'The platform: a community’s platform for the relationship’s own handle, else as it was added.' })
  platform!: string;

  @Field({ description: 'The handle on that platform.' })
  handle!: string;
}

/** Identities are the same when platform and handle are, case-insensitively. */
export function identityKey(identity: { platform: string; handle: string }): string {
  return `${identity.platform.toLowerCase()}\u0000${identity.handle.toLowerCase()}`;
}
