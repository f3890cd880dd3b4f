import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new user and the organization they will own.' })
export class SignUpInput {
  @Field({ description: 'The new user’s email address; it logs in with it.' })
  email!: string;

  @Field({ description: 'At least 10 characters.' })
  password!: string;

  @Field({ description: 'The new organization’s name; its slug is made from it.' })
  organizationName!: string;

  @Field({ nullable: true, description: 'IANA time zone of the organization; default UTC.' })
  timezone?: string;
}

@InputType({ description: 'Credentials for logging in to one organization.' })
export class LogInInput {
  @Field({ description: 'The user’s email address.' })
  email!: string;

  @Field({ description: 'The user’s password.' })
  password!: string;

  @Field({ nullable: true, description: 'Which organization to act in; may be left out when the user has only one.' })
  organizationSlug?: string;
}
