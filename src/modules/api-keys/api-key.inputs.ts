import { Field, InputType, ObjectType } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';
import { ApiKey } from './api-key.entity.js';

@InputType()
export class CreateApiKeyInput {
  @Field()
  name!: string;

  @Field(() => [ApiKeyScope], { description: 'At least one scope.' })
  scopes!: ApiKeyScope[];

  @Field(() => Date, { nullable: true, description: 'When the key stops working; never when left out.' })
  expiresAt?: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'The secret, shown only this once: only a hash of it is stored.' })
  secret!: string;
}
