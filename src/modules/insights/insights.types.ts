import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Interval } from '../metrics/interval.js';

/** How the lags were chosen. */
export enum LagSearch {
  EXHAUSTIVE = 'EXHAUSTIVE',
  COORDINATE_DESCENT = 'COORDINATE_DESCENT',
}

registerEnumType(LagSearch, {
  name: 'LagSearch',
  description: 'How each driver’s lag was chosen (least residual sum of squares on the same intervals for every candidate).',
  valuesConfig: {
    EXHAUSTIVE: { description: 'Every combination of lags was fitted (at most 625 combinations).' },
    COORDINATE_DESCENT: {
      description: 'One driver’s lag re-chosen at a time with the others fixed, from all lags 0, until nothing improved (at most 10 passes).',
    },
  },
});

@ObjectType({ description: 'What one unit of a driver is associated with in the target, at the driver’s chosen lag.' })
export class InsightDriver {
  @Field({ description: 'The driver’s metric key.' })
  driver!: string;

  @Field(() => Int, { description: 'The chosen lag in intervals: the target at t is fitted on this driver at t - lag.' })
  lag!: number;

  @Field(() => Float, { description: 'Change in the target per unit of the driver, the other drivers held fixed (least squares).' })
  coefficient!: number;

  @Field(() => Float, { description: 'Standard error of the coefficient.' })
  standardError!: number;

  @Field(() => Float, { description: 'Lower end of the 95% interval (Student t, widened for the lag search: see intervalLevel).' })
  low!: number;

  @Field(() => Float, { description: 'Upper end of the 95% interval. An interval containing 0 shows no association distinguishable from none.' })
  high!: number;
}

@ObjectType({ description: 'A model parameter value the fit implies, ready to try with previewRoi(suggestedParameters).' })
export class SuggestedParameter {
  @Field({ description: 'The parameter’s name: the one the default model values the driver by (lead_value), or <driver>_value.' })
  name!: string;

  @Field(() => Float, { description: 'The value the fit implies.' })
  value!: number;

  @Field(() => Float, { description: 'The value implied by the low end of the driver’s interval.' })
  low!: number;

  @Field(() => Float, { description: 'The value implied by the high end of the driver’s interval.' })
  high!: number;

  @Field({ description: 'The driver whose coefficient gives the value.' })
  driver!: string;

  @Field({ description: 'How the value follows from the fit, in a sentence.' })
  basis!: string;
}

@ObjectType({
  description:
    'A least-squares fit of a target metric on driver metrics, each at its chosen lag, over this organization’s own history. ' +
    'It shows an association in this organization’s data, not a proof of cause: something else may move both, and a lag chosen from the data flatters the fit.',
})
export class RelationshipInsight {
  @Field({ description: 'The target metric’s key.' })
  target!: string;

  @Field(() => Interval, { description: 'The bucket length the series were aggregated at.' })
  interval!: Interval;

  @Field({ description: 'Start of the window (inclusive).' })
  from!: Date;

  @Field({ description: 'End of the window (exclusive).' })
  to!: Date;

  @Field(() => Int, { description: 'The largest lag considered, in intervals.' })
  maxLag!: number;

  @Field(() => Int, { description: 'Intervals the final fit used: those from the largest chosen lag on where the target and every lagged driver have a value.' })
  n!: number;

  @Field(() => Float, { description: 'Share of the target’s variance the fit explains (0 to 1).' })
  r2!: number;

  @Field(() => Float, { description: 'The target’s fitted value when every driver is 0.' })
  intercept!: number;

  @Field(() => Int, { description: 'Residual degrees of freedom, n - drivers - 1.' })
  degreesOfFreedom!: number;

  @Field(() => Float, { description: 'Standard deviation of the residuals, sqrt(RSS / degreesOfFreedom).' })
  residualStandardError!: number;

  @Field(() => Float, {
    description: 'The level each interval is computed at: 1 - 0.05 / (maxLag + 1), so that each driver’s interval keeps 95% whichever of its maxLag + 1 lags was chosen.',
  })
  intervalLevel!: number;

  @Field(() => LagSearch, { description: 'How the lags were chosen.' })
  lagSearch!: LagSearch;

  @Field(() => [InsightDriver], { description: 'One entry per driver, in the order asked.' })
  drivers!: InsightDriver[];

  @Field(() => [SuggestedParameter], {
    description:
      'Values the fit implies for ROI model parameters (see docs/insights.md), from drivers whose interval lies above 0; empty when the target is neither money nor a metric the default model values.',
  })
  suggestedParameters!: SuggestedParameter[];
}
