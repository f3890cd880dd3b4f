import { Field, Float, InputType } from 'type-graphql';

@InputType()
export class RoiParameterInput {
  @Field({ description: 'An identifier ([a-z_][a-z0-9_]*) that is not a metric key.' })
  name!: string;

  @Field(() => Float)
  value!: number;
}

@InputType()
export class CreateRoiModelInput {
  @Field()
  name!: string;

  @Field()
  returnFormula!: string;

  @Field()
  investmentFormula!: string;

  @Field(() => [RoiParameterInput], { defaultValue: [] })
  parameters!: RoiParameterInput[];

  @Field({ nullable: true, description: 'Make this the organization’s default model.' })
  isDefault?: boolean;
}

@InputType({ description: 'Fields to change; each update saves a new version.' })
export class UpdateRoiModelInput {
  @Field({ nullable: true })
  name?: string;

  @Field({ nullable: true })
  returnFormula?: string;

  @Field({ nullable: true })
  investmentFormula?: string;

  @Field(() => [RoiParameterInput], { nullable: true, description: 'Replaces the parameter list.' })
  parameters?: RoiParameterInput[];

  @Field({ nullable: true, description: 'true makes this the default (the previous default stops being one).' })
  isDefault?: boolean;
}

@InputType({ description: 'An unsaved model, to try over past data with previewRoi.' })
export class RoiModelDraftInput {
  @Field()
  returnFormula!: string;

  @Field()
  investmentFormula!: string;

  @Field(() => [RoiParameterInput], { defaultValue: [] })
  parameters!: RoiParameterInput[];
}
