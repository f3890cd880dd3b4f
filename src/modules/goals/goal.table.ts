import { epochMs, Projection, type ColumnMap } from '../../platform/sql/projection.js';

/** How each Goal field is read from a row of `goals g`. */
export const GOAL_FIELDS: ColumnMap = {
  id: { sql: 'g.id' },
  name: { sql: 'g.name' },
  description: { sql: 'g.description' },
  metricKey: { sql: 'g.metric_key' },
  roiModelId: { sql: 'g.roi_model_id' },
  target: { sql: 'g.target' },
  startsAt: { sql: epochMs('g.starts_at'), time: true },
  endsAt: { sql: epochMs('g.ends_at'), time: true },
  createdAt: { sql: epochMs('g.created_at'), time: true },
  updatedAt: { sql: epochMs('g.updated_at'), time: true },
};

/** Every column of a goal. */
export const GOAL_ROW = new Projection(GOAL_FIELDS, null);
