import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { WidgetToken } from './widget-token.types.js';

@InputType({ description: 'What a new widget token may read, and from where.' })
export class CreateWidgetTokenInput {
  @Field({ description: 'A name to recognise the token by (1 to 200 characters).' })
  name!: string;

  @Field(() => [String], { nullable: true, description: 'Metric keys (built-in or the organization’s own) the token reads.' })
  metricKeys?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'ROI models the token reads. At least one metric key or model in all.' })
  roiModelIds?: string[] | null;

  @Field(() => [String], {
    description: 'Origins of the pages that may use the token, such as https://www.example.com (scheme, host and port only; 1 to 20).',
  })
  allowedOrigins!: string[];

  @Field(() => Date, { nullable: true, description: 'When the token stops working; never when left out.' })
  expiresAt?: Date | null;
}

@ObjectType({ description: 'A new widget token and the token itself, shown only this once.' })
export class CreatedWidgetToken {
  @Field(() => WidgetToken, { description: 'The token’s record.' })
  widgetToken!: WidgetToken;

  @Field({ description: 'The token (rrw_…), shown only this once: only a hash of it is stored. Put it in the page as data-token.' })
  token!: string;
}
