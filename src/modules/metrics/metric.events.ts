import { WriteHook } from '../../platform/write-hooks.js';

/** Topic of a tenant on which recorded metric points travel (the organization's own metrics). */
export const METRIC_RECORDED = 'metric-recorded';

/** One recorded value, as events carry it. */
export interface MetricPointEvent {
  metricKey: string;
  communityId: string | null;
  /** ISO time of the point. */
  at: string;
  value: number;
}

/** Payload of `METRIC_RECORDED`: every point one committed write added. */
export interface MetricRecordedEvent {
  points: MetricPointEvent[];
}

/** Runs in the transaction of every committed-to-be write of points (recordMetrics, imports), with the points written. */
export const METRICS_WRITTEN = new WriteHook<MetricRecordedEvent>('metrics written');
