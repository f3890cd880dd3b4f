import { registerEnumType } from 'type-graphql';

/** How a metric's points combine over a bucket or a window. */
export enum MetricAggregation {
  SUM = 'SUM',
  AVG = 'AVG',
  MIN = 'MIN',
  MAX = 'MAX',
  /** The value of the latest point. */
  LAST = 'LAST',
  /** The number of points (their values are ignored). */
  COUNT = 'COUNT',
}

registerEnumType(MetricAggregation, {
  name: 'MetricAggregation',
  description: 'How a metric’s points combine over a bucket or window. LAST: the value of the latest point; COUNT: the number of points.',
  valuesConfig: {
    SUM: { description: 'The sum of the values (0 when none).' },
    AVG: { description: 'The mean of the values.' },
    MIN: { description: 'The smallest value.' },
    MAX: { description: 'The largest value.' },
    LAST: { description: 'The value of the latest point.' },
    COUNT: { description: 'How many points there are (0 when none).' },
  },
});

/** Aggregations whose empty bucket is 0 rather than null. */
export function zeroWhenEmpty(aggregation: MetricAggregation): boolean {
  return aggregation === MetricAggregation.SUM || aggregation === MetricAggregation.COUNT;
}
