import { Field, Float, ID, Int, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { Interval } from '../metrics/interval.js';
import { RoiFormulaKind } from './roi-calculator.js';

registerEnumType(RoiFormulaKind, {
  name: 'RoiFormulaKind',
  description: 'Which formula of a model a term belongs to.',
  valuesConfig: {
    INVESTMENT: { description: 'The model’s investment formula.' },
    RETURN: { description: 'The model’s return formula.' },
  },
});

@ObjectType({ description: 'A named number a model’s formulas use, such as lead_value = 500.' })
export class RoiParameter {
  @Field({ description: 'The parameter’s name, as formulas use it.' })
  name!: string;

  @Field(() => Float, { description: 'The parameter’s value.' })
  value!: number;
}

@ObjectType({ description: 'One saved version of a model. Versions never change; an update adds one.' })
export class RoiModelVersion {
  modelId!: string;
  createdByUserId!: string | null;

  @Field(() => Int, { description: 'The version number, from 1.' })
  version!: number;

  @Field({ description: 'The model’s name in this version.' })
  name!: string;

  @Field({ description: 'The return formula of this version.' })
  returnFormula!: string;

  @Field({ description: 'The investment formula of this version.' })
  investmentFormula!: string;

  @Field(() => [RoiParameter], { description: 'The parameters of this version.' })
  parameters!: RoiParameter[];

  @Field({ description: 'When this version was saved.' })
  createdAt!: Date;

  @Field(() => ID, { nullable: true, description: 'The API key that saved this version, when not a member.' })
  createdByApiKeyId!: string | null;
}

@ObjectType({ description: 'A tenant’s own definition of return on relationships: two formulas and their parameters.' })
export class RoiModel {
  createdByUserId!: string | null;

  @Field(() => ID, { description: 'The model’s id.' })
  id!: string;

  @Field({ description: 'The default model answers `roi` when no modelId is given. Exactly one per organization.' })
  isDefault!: boolean;

  @Field(() => Int, { description: 'The current version (1 for a new model).' })
  version!: number;

  @Field({ description: 'The model’s name (of its current version).' })
  name!: string;

  @Field({ description: 'What the relationships returned, in the formula language.' })
  returnFormula!: string;

  @Field({ description: 'What was invested, in the formula language.' })
  investmentFormula!: string;

  @Field(() => [RoiParameter], { description: 'The parameters of the current version.' })
  parameters!: RoiParameter[];

  @Field({ description: 'When the model was made.' })
  createdAt!: Date;

  @Field({ description: 'When the current version was saved.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'One problem in a formula, with the offsets of the text it is about.' })
export class FormulaErrorInfo {
  @Field({ description: 'What is wrong, with a suggestion for an unknown name.' })
  message!: string;

  @Field(() => Int, { description: '0-based offset of the first offending character.' })
  start!: number;

  @Field(() => Int, { description: '0-based offset just past the offending text.' })
  end!: number;
}

@ObjectType({ description: 'The result of checking a formula without saving it.' })
export class FormulaValidation {
  @Field({ description: 'True when the formula parses and every name in it is known.' })
  valid!: boolean;

  @Field(() => [FormulaErrorInfo], { description: 'Every problem found; empty when the formula is valid.' })
  errors!: FormulaErrorInfo[];

  @Field(() => [String], { description: 'The distinct identifiers the formula uses, in order of appearance.' })
  identifiers!: string[];
}

@ObjectType({ description: 'The value an identifier had over the window.', simpleResolvers: true })
export class RoiVariable {
  @Field({ description: 'A metric key or parameter name.' })
  name!: string;

  @Field(() => Float, { description: 'Its value over the window; null when a metric has no data.', nullable: true })
  value!: number | null;

  @Field({ description: 'True for a model parameter, false for a metric.' })
  parameter!: boolean;
}

// A report holds hundreds of these plain objects: `simpleResolvers` leaves their fields to graphql-js's
// default resolver instead of a type-graphql wrapper per field (no middleware or auth applies to them).
@InterfaceType('RoiFigures', { description: 'Return, investment and roi = (return - investment) / investment (null where investment is 0).' })
export abstract class RoiFiguresFields {
  @Field(() => Float, { description: 'The return formula over the window; null when a value it needs is missing.', name: 'return', nullable: true })
  return!: number | null;

  @Field(() => Float, { description: 'The investment formula over the window; null when a value it needs is missing.', nullable: true })
  investment!: number | null;

  @Field(() => Float, { description: '(return - investment) / investment; null where investment is 0 or a value is missing.', nullable: true })
  roi!: number | null;
}

@ObjectType({ description: 'Return, investment and roi over one interval of the window.', implements: RoiFiguresFields, simpleResolvers: true })
export class RoiSeriesPoint extends RoiFiguresFields {
  @Field({ description: 'Start of the interval, aligned to the organization’s time zone.' })
  start!: Date;

}

@ObjectType({ implements: RoiFiguresFields, description: 'The figures of one community; community is null for data recorded without one.', simpleResolvers: true })
export class RoiCommunityFigures extends RoiFiguresFields {
  communityId!: string | null;

}

@ObjectType({ description: 'One top-level term of a formula, its value over the window and its share of that formula’s total.', simpleResolvers: true })
export class RoiContributionType {
  @Field(() => RoiFormulaKind, { description: 'Which formula the term belongs to.' })
  formula!: RoiFormulaKind;

  @Field({ description: 'The term, as written in the formula (a top-level addend).' })
  term!: string;

  @Field(() => Float, { description: 'The term’s value over the window; null when it has no data.', nullable: true })
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

  @Field({ description: 'Start of the window (included).' })
  from!: Date;

  @Field({ description: 'End of the window (excluded).' })
  to!: Date;

  @Field(() => Interval, { description: 'The interval of series; null when none was asked for.', nullable: true })
  interval!: Interval | null;

  @Field(() => ID, { nullable: true, description: 'The community the report is restricted to, if any.' })
  communityId!: string | null;

  @Field(() => [RoiVariable], { description: 'Every metric and parameter the formulas used, with its value over the window.' })
  variables!: RoiVariable[];

  @Field(() => [RoiSeriesPoint], { description: 'One point per interval of the window, empty ones included; empty without interval.' })
  series!: RoiSeriesPoint[];

  @Field(() => [RoiCommunityFigures], { description: 'The same figures computed per community.' })
  byCommunity!: RoiCommunityFigures[];

  @Field(() => [RoiContributionType], { description: 'How much each top-level term of each formula weighs.', name: 'contributions' })
  contributions!: RoiContributionType[];
}
