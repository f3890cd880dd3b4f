import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Relationship } from './relationship.types.js';

/** Why relationships look like one person. */
export enum DuplicateReason {
  SAME_IDENTITY = 'SAME_IDENTITY',
  SAME_EXTERNAL_ID = 'SAME_EXTERNAL_ID',
  SIMILAR_NAME = 'SIMILAR_NAME',
}

registerEnumType(DuplicateReason, {
  name: 'DuplicateReason',
  description: 'Why relationships look like one person.',
  valuesConfig: {
    SAME_IDENTITY: { description: 'They share a handle on one platform (case-insensitively): their own handles or added identities.' },
    SAME_EXTERNAL_ID: { description: 'Their externalIds are the same once trimmed and lower-cased (say, two imports of one CRM).' },
    SIMILAR_NAME: { description: 'Their names are similar (pg_trgm similarity of at least 0.6).' },
  },
});

@ObjectType({ description: 'Relationships that may be one person, to merge with mergeRelationships.' })
export class DuplicateGroup {
  @Field(() => [Relationship], { description: 'The relationships, oldest connectedAt first (at most 21: a target and 20 sources).' })
  relationships!: Relationship[];

  @Field(() => DuplicateReason, { description: 'Why they look like one person.' })
  reason!: DuplicateReason;

  @Field(() => Float, { description: 'How sure, 0..1: SAME_IDENTITY 1, SAME_EXTERNAL_ID 0.95, SIMILAR_NAME 0.9 times the name similarity.' })
  score!: number;
}
