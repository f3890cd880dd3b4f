import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { queryLimitsRule, type QueryLimits } from './query-limits';

const schema = buildSchema(`
  type Item { id: ID! name: String children(first: Int): [Item!]! }
  type Query { items(first: Int): [Item!]! item: Item }
`);

const limits: QueryLimits = { maxDepth: 5, maxAliases: 2, maxTokens: 1000, maxCost: 1000 };

function errors(query: string) {
  return validate(schema, parse(query), [queryLimitsRule(limits)]).map((e) => ({ message: e.message, code: e.extensions.code }));
}

describe('queryLimitsRule', () => {
  it('passes a query within every limit', () => {
    expect(errors('{ items(first: 5) { id children(first: 5) { id } } }')).toEqual([]);
  });

  it('measures depth, also through fragments', () => {
    expect(errors('{ item { children { children { children { id } } } } }')).toEqual([]);
    expect(errors('{ item { children { children { children { children { id } } } } } }')).toEqual([
      { message: 'Query depth 6 exceeds the limit of 5', code: 'QUERY_TOO_COMPLEX' },
    ]);
    expect(errors('{ item { ...F } } fragment F on Item { children { children { children { children { id } } } } }')).toHaveLength(1);
  });

  it('does not count the depth of introspection (it is the schema’s), but still its aliases', () => {
    const all = { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true };
    expect(errors(getIntrospectionQuery(all))).toEqual([]);
    expect(errors('{ __type(name: "Item") { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } }')).toEqual([]);
    expect(errors('{ __schema { a: types { name } b: types { name } c: types { name } } }')[0].message).toBe('Query alias count 3 exceeds the limit of 2');
  });

  it('counts aliases', () => {
    expect(errors('{ a: item { id } b: item { id } }')).toEqual([]);
    expect(errors('{ a: item { id } b: item { id } c: item { id } }')[0].message).toBe('Query alias count 3 exceeds the limit of 2');
  });

  it('multiplies the cost of a list’s children by its first', () => {
    // 1 (items) + 10 * (1 id + 1 children + 10 * 1 id) = 121
    expect(errors('{ items(first: 10) { id children(first: 10) { id } } }')).toEqual([]);
    // 1 + 40 * (1 + 1 + 40 * 1) = 1681
    expect(errors('{ items(first: 40) { id children(first: 40) { id } } }')).toEqual([
      { message: 'Query cost 1681 exceeds the limit of 1000', code: 'QUERY_TOO_COMPLEX' },
    ]);
  });

  it('takes a first given by a variable as the largest page', () => {
    expect(errors('query ($n: Int) { items(first: $n) { id children(first: $n) { id } } }')[0].message).toMatch(/cost/);
  });

  it('does not loop on fragment cycles (graphql-js reports those)', () => {
    expect(() => errors('{ item { ...A } } fragment A on Item { children { ...B } } fragment B on Item { ...A }')).not.toThrow();
  });
});
