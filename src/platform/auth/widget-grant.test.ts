import { buildSchema, parse } from 'graphql';
import { authorizeWidgetOperation, checkWidgetOrigin, widgetFieldError, type WidgetGrant } from './widget-grant';

const schema = buildSchema(`
  scalar DateTime
  interface RoiFigures { roi: Float }
  type MetricBucket { start: DateTime! value: Float count: Int! }
  type RoiSeriesPoint implements RoiFigures { start: DateTime! roi: Float }
  type Community { name: String! }
  type RoiCommunityFigures implements RoiFigures { roi: Float community: Community }
  type RoiReport implements RoiFigures { roi: Float series: [RoiSeriesPoint!]! byCommunity: [RoiCommunityFigures!]! }
  type Query {
    metricSeries(metricKey: String!, from: DateTime!): [MetricBucket!]!
    roi(modelId: ID, from: DateTime!): RoiReport!
    communities: [Community!]!
  }
`);
const grant: WidgetGrant = { metricKeys: new Set(['leads']), roiModelIds: new Set(['m1']), allowedOrigins: new Set(['https://a.example']) };
const run = (query: string, variables: Record<string, unknown> = {}) => () => authorizeWidgetOperation(grant, schema, parse(query), undefined, variables);
const FORBIDDEN = expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) });

describe('the widget grant', () => {
  it('lets a token read its metric’s buckets and its model’s figures and series', () => {
    expect(run(`query ($k: String!) { metricSeries(metricKey: $k, from: "x") { start value count __typename } }`, { k: 'leads' })).not.toThrow();
    expect(run(`{ roi(modelId: "m1", from: "x") { roi ...S } } fragment S on RoiReport { series { ... on RoiFigures { roi } start } }`)).not.toThrow();
  });

  it.each([
    ['another metric', `{ metricSeries(metricKey: "revenue", from: "x") { value } }`],
    ['another model', `{ roi(modelId: "m2", from: "x") { roi } }`],
    ['the default model', `{ roi(from: "x") { roi } }`],
    ['a nested field', `{ roi(modelId: "m1", from: "x") { byCommunity { community { name } } } }`],
    ['a field in a fragment spread twice', `{ roi(modelId: "m1", from: "x") { ...F ...F } } fragment F on RoiReport { byCommunity { roi } }`],
    ['another root field', `{ communities { name } }`],
    ['introspection', `{ __schema { types { name } } }`],
  ])('refuses %s', (_what, query) => {
    expect(run(query)).toThrow(FORBIDDEN);
  });

  it('names the field and the keys in its sentence', () => {
    expect(widgetFieldError(grant, 'Query', 'metricSeries', { metricKey: 'x' })).toMatch(/reads only the metrics it was made for \(leads\)/);
    expect(widgetFieldError(grant, 'Query', 'communities', {})).toMatch(/may not read Query\.communities/);
    expect(widgetFieldError(grant, 'Anything', '__typename', {})).toBeNull();
  });

  it('wants an Origin it lists', () => {
    expect(() => checkWidgetOrigin(grant, 'https://a.example')).not.toThrow();
    for (const origin of [undefined, '', 'https://b.example', 'https://a.example.evil']) expect(() => checkWidgetOrigin(grant, origin)).toThrow(FORBIDDEN);
  });
});
