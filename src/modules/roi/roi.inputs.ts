import { Field, Float, InputType } from 'type-graphql';

@InputType({ description: 'A named number a model’s formulas use.' })
export class RoiParameterInput {
  @Field({ description: 'An identifier ([a-z_][a-z0-9_]*) that is not a metric key.' })
  name!: string;

  @Field(() => Float, { description: 'The parameter’s value; finite.' })
  value!: number;
}

@InputType({ description: 'A new ROI model: two formulas and the parameters they use.' })
export class CreateRoiModelInput {
  @Field({ description: 'The model’s name.' })
  name!: string;

  @Field({ description: 'The return formula (see the formula language); at most 2,000 characters.' })
  returnFormula!: string;

  @Field({ description: 'The investment formula (see the formula language); at most 2,000 characters.' })
  investmentFormula!: string;

  @Field(() => [RoiParameterInput], { description: 'Named numbers the formulas may use besides metric keys.', defaultValue: [] })
  parameters!: RoiParameterInput[];

  @Field({ nullable: true, description: 'Make this the organization’s default model.' })
  isDefault?: boolean;
}

@InputType({ description: 'Fields to change; each update saves a new version.' })
export class UpdateRoiModelInput {
  @Field({ description: 'A new name.', nullable: true })
  name?: string;

  @Field({ description: 'A new return formula.', nullable: true })
  returnFormula?: string;

  @Field({ description: 'A new investment formula.', nullable: true })
  investmentFormula?: string;

  @Field(() => [RoiParameterInput], { nullable: true, description: 'Replaces the parameter list.' })
  parameters?: RoiParameterInput[];

  @Field({ nullable: true, description: 'true makes this the default (the previous default stops being one).' })
  isDefault?: boolean;
}

@InputType({ description: 'An unsaved model, to try over past data with previewRoi.' })
export class RoiModelDraftInput {
  @Field({ description: 'The return formula to try.' })
  returnFormula!: string;

  @Field({ description: 'The investment formula to try.' })
  investmentFormula!: string;

  @Field(() => [RoiParameterInput], { description: 'The parameters the draft’s formulas use.', defaultValue: [] })
  parameters!: RoiParameterInput[];
}
