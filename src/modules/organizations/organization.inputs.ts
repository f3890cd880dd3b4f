import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Changes to the organization; fields left out stay as they are.' })
export class UpdateOrganizationInput {
  @Field({ description: 'The organization’s name (its slug stays).', nullable: true })
  name?: string;

  @Field({ nullable: true, description: 'IANA time zone, such as Europe/Paris.' })
  timezone?: string;
}
