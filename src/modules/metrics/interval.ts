import { registerEnumType } from 'type-graphql';

/** The length of a series bucket; buckets start at the hour, midnight, Monday or the 1st in the organization's time zone. */
export enum Interval {
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

registerEnumType(Interval, {
  name: 'Interval',
  description: 'Bucket length of a series, aligned to the organization’s time zone: the hour, midnight, Monday, the 1st.',
  valuesConfig: {
    HOUR: { description: 'Hours, from the full hour in the organization’s time zone.' },
    DAY: { description: 'Days, from midnight in the organization’s time zone.' },
    WEEK: { description: 'Weeks, from Monday midnight in the organization’s time zone.' },
    MONTH: { description: 'Calendar months, from the 1st in the organization’s time zone.' },
  },
});

/** The `date_trunc` field name of an interval. */
export const INTERVAL_UNIT: Readonly<Record<Interval, string>> = {
  [Interval.HOUR]: 'hour',
  [Interval.DAY]: 'day',
  [Interval.WEEK]: 'week',
  [Interval.MONTH]: 'month',
};

/** Most buckets one series may have. */
export const MAX_BUCKETS = 10_000;
