import { Field, InputType } from 'type-graphql';

@InputType()
export class UpdateOrganizationInput {
  @Field({ nullable: true })
  name?: string;

  @Field({ nullable: true, description: 'IANA time zone, such as Europe/Paris.' })
  timezone?: string;
}
