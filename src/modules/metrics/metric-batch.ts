import { Ajv, type ErrorObject } from 'ajv';
import { GraphQLError, GraphQLScalarType, valueFromASTUntyped } from 'graphql';
import { BadInputError } from '../../platform/errors.js';
import { parseDateTime } from '../../platform/date-time.js';
import type { MetricPointInput } from './metric.inputs.js';

/**
 * `MetricPointBatch`: recordMetrics's points as one JSON value. GraphQL coerces a list of input
 * objects field by field, which costs most of a 10,000-point call; this scalar passes the list as
 * it came, and a compiled JSON Schema validator checks it in one pass instead.
 */
export const MetricPointBatchScalar = new GraphQLScalarType({
  name: 'MetricPointBatch',
  description:
    'A list of metric points as JSON, the same objects as MetricPointInput ({metricKey, value, at, communityId?, idempotencyKey?}), checked as one value: much cheaper than a list of input objects for large batches.',
  parseValue: (value) => value,
  parseLiteral: (ast) => valueFromASTUntyped(ast),
  serialize: () => {
    throw new GraphQLError('MetricPointBatch is an input type');
  },
});

/** Most points of one batch (ingest.service.ts's limit; here, so that the two modules do not import each other). */
const MAX_POINTS = 10_000;

const validate = new Ajv({ allErrors: false }).compile({
  type: 'array',
  maxItems: MAX_POINTS,
  items: {
    type: 'object',
    required: ['metricKey', 'value', 'at'],
    additionalProperties: false,
    properties: {
      metricKey: { type: 'string' },
      value: { type: 'number' },
      at: { type: 'string' },
      communityId: { type: ['string', 'null'] },
      idempotencyKey: { type: ['string', 'null'] },
    },
  },
});

/** The error of a point as recordMetrics words it: `points[i].field …`, with index and field. */
function pointError(index: number, field: string | null, message: string): BadInputError {
  const path = field ? `points[${index}].${field}` : `points[${index}]`;
  return new BadInputError(`${path} ${message}`, { field: path, index });
}

function schemaError(e: ErrorObject): BadInputError {
  if (e.keyword === 'maxItems') return new BadInputError(`points may hold at most ${MAX_POINTS} points per call`, { field: 'points' });
  const [index, field] = e.instancePath.split('/').slice(1);
  if (index === undefined) return new BadInputError('batch must be a list of metric points', { field: 'batch' });
  if (e.keyword === 'required') return pointError(Number(index), String(e.params.missingProperty), 'is required');
  if (e.keyword === 'additionalProperties') return pointError(Number(index), String(e.params.additionalProperty), 'is not a field of a metric point');
  return pointError(Number(index), field ?? null, e.message ?? 'is not valid');
}

/** The batch as MetricPointInputs, or BAD_USER_INPUT naming the first bad point (extensions.index). */
export function pointsOfBatch(batch: unknown): MetricPointInput[] {
  if (!validate(batch)) throw schemaError(validate.errors![0]);
  const points = batch as Array<Omit<MetricPointInput, 'at'> & { at: string | Date }>;
  for (let i = 0; i < points.length; i++) {
    try {
      points[i].at = parseDateTime(points[i].at);
    } catch (e) {
      throw pointError(i, 'at', (e as Error).message.replace(/^DateTime /, 'must be '));
    }
  }
  return points as MetricPointInput[];
}
