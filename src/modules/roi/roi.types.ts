import { Field, Float, ID, Int, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { Interval } from '../metrics/interval.js';
import { RoiFormulaKind } from './roi-calculator.js';

registerEnumType(RoiFormulaKind, { name: 'RoiFormulaKind', description: 'Which formula of a model a term belongs to.' });

@ObjectType({ description: 'A named number a model’s formulas use, such as lead_value = 500.' })
export class RoiParameter {
  @Field()
  name!: string;

  @Field(() => Float)
  value!: number;
}

@ObjectType({ description: 'One saved version of a model. Versions never change; an update adds one.' })
export class RoiModelVersion {
  modelId!: string;
  createdByUserId!: string | null;

  @Field(() => Int)
  version!: number;

  @Field()
  name!: string;

  @Field()
  returnFormula!: string;

  @Field()
  investmentFormula!: string;

  @Field(() => [RoiParameter])
  parameters!: RoiParameter[];

  @Field({ description: 'When this version was saved.' })
  createdAt!: Date;

  @Field(() => ID, { nullable: true, description: 'The API key that saved this version, when not a member.' })
  createdByApiKeyId!: string | null;
}

@ObjectType({ description: 'A tenant’s own definition of return on relationships: two formulas and their parameters.' })
export class RoiModel {
  createdByUserId!: string | null;

  @Field(() => ID)
  id!: string;

  @Field({ description: 'The default model answers `roi` when no modelId is given. Exactly one per organization.' })
  isDefault!: boolean;

  @Field(() => Int, { description: 'The current version (1 for a new model).' })
  version!: number;

  @Field()
  name!: string;

  @Field({ description: 'What the relationships returned, in the formula language.' })
  returnFormula!: string;

  @Field({ description: 'What was invested, in the formula language.' })
  investmentFormula!: string;

  @Field(() => [RoiParameter])
  parameters!: RoiParameter[];

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType()
export class FormulaErrorInfo {
  @Field()
  message!: string;

  @Field(() => Int, { description: '0-based offset of the first offending character.' })
  start!: number;

  @Field(() => Int, { description: '0-based offset just past the offending text.' })
  end!: number;
}

@ObjectType()
export class FormulaValidation {
  @Field()
  valid!: boolean;

  @Field(() => [FormulaErrorInfo])
  errors!: FormulaErrorInfo[];

  @Field(() => [String], { description: 'The distinct identifiers the formula uses, in order of appearance.' })
  identifiers!: string[];
}

@ObjectType({ description: 'The value an identifier had over the window.' })
export class RoiVariable {
  @Field()
  name!: string;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field({ description: 'True for a model parameter, false for a metric.' })
  parameter!: boolean;
}

@InterfaceType('RoiFigures', { description: 'Return, investment and roi = (return - investment) / investment (null where investment is 0).' })
export abstract class RoiFiguresFields {
  @Field(() => Float, { name: 'return', nullable: true })
  return!: number | null;

  @Field(() => Float, { nullable: true })
  investment!: number | null;

  @Field(() => Float, { nullable: true })
  roi!: number | null;
}

@ObjectType({ implements: RoiFiguresFields })
export class RoiSeriesPoint extends RoiFiguresFields {
  @Field()
  start!: Date;

}

@ObjectType({ implements: RoiFiguresFields, description: 'The figures of one community; community is null for data recorded without one.' })
export class RoiCommunityFigures extends RoiFiguresFields {
  communityId!: string | null;

}

@ObjectType({ description: 'One top-level term of a formula, its value over the window and its share of that formula’s total.' })
export class RoiContributionType {
  @Field(() => RoiFormulaKind)
  formula!: RoiFormulaKind;

  @Field()
  term!: string;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => Float, { nullable: true, description: 'value / total of its formula; null when the total is 0 or unknown.' })
  share!: number | null;
}

@ObjectType({
  implements: RoiFiguresFields,
  description:
    'ROI over a half-open window: roi = (return - investment) / investment, null where investment is 0. ' +
    'Each metric in a formula is aggregated over the window with its own aggregation.',
})
export class RoiReport extends RoiFiguresFields {
  @Field(() => RoiModel, { nullable: true, description: 'The model (null for a previewed draft).' })
  model!: RoiModel | null;

  @Field(() => Int, { nullable: true, description: 'The model version the figures were computed with.' })
  version!: number | null;

  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => Interval, { nullable: true })
  interval!: Interval | null;

  @Field(() => ID, { nullable: true, description: 'The community the report is restricted to, if any.' })
  communityId!: string | null;

  @Field(() => [RoiVariable])
  variables!: RoiVariable[];

  @Field(() => [RoiSeriesPoint], { description: 'One point per interval of the window, empty ones included; empty without interval.' })
  series!: RoiSeriesPoint[];

  @Field(() => [RoiCommunityFigures])
  byCommunity!: RoiCommunityFigures[];

  @Field(() => [RoiContributionType], { name: 'contributions' })
  contributions!: RoiContributionType[];
}
