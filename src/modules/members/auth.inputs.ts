import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new user and the organization they will own.' })
export class SignUpInput {
  @Field()
  email!: string;

  @Field({ description: 'At least 10 characters.' })
  password!: string;

  @Field()
  organizationName!: string;

  @Field({ nullable: true, description: 'IANA time zone of the organization; default UTC.' })
  timezone?: string;
}

@InputType()
export class LogInInput {
  @Field()
  email!: string;

  @Field()
  password!: string;

  @Field({ nullable: true, description: 'Which organization to act in; may be left out when the user has only one.' })
  organizationSlug?: string;
}
