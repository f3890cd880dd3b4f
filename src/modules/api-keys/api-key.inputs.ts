import { Field, InputType } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

@InputType({ description: 'A new API key: its name, scopes and optional expiry.' })
export class CreateApiKeyInput {
  @Field({ description: 'A name to recognise the key by, 1 to 200 characters.' })
  name!: string;

  @Field(() => [ApiKeyScope], { description: 'At least one scope.' })
  scopes!: ApiKeyScope[];

  @Field(() => Date, { nullable: true, description: 'When the key stops working; never when left out.' })
  expiresAt?: Date | null;
}
