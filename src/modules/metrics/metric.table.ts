import { epochMs, Projection } from '../../platform/sql/projection.js';

/** Every column of a metric definition of the organization's own, from a row of `metric_definitions d`. */
export const DEFINITION_ROW = new Projection(
  {
    id: { sql: 'd.id' },
    key: { sql: 'd.key' },
    name: { sql: 'd.name' },
    unit: { sql: 'd.unit' },
    aggregation: { sql: 'd.aggregation' },
    description: { sql: 'd.description' },
    createdAt: { sql: epochMs('d.created_at'), time: true },
  },
  null,
);
