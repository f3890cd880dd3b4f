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
});

/** Aggregations whose empty bucket is 0 rather than null. */
export function zeroWhenEmpty(aggregation: MetricAggregation): boolean {
  return aggregation === MetricAggregation.SUM || aggregation === MetricAggregation.COUNT;
}
