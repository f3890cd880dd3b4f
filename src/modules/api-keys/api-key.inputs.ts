import { Field, InputType } from 'type-graphql';
import { ApiKeyScope } from '../../platform/auth/scopes.js';

@InputType()
export class CreateApiKeyInput {
  @Field()
  name!: string;

  @Field(() => [ApiKeyScope], { description: 'At least one scope.' })
  scopes!: ApiKeyScope[];

  @Field(() => Date, { nullable: true, description: 'When the key stops working; never when left out.' })
  expiresAt?: Date | null;
}
