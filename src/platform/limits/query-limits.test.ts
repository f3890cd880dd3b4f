import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { queryLimitRules, type QueryLimits } from './query-limits';

const schema = buildSchema(`
  type Item { id: ID! name: String children(first: Int): [Item!]! }
  type Query { items(first: Int): [Item!]! item: Item }
`);

const limits: QueryLimits = { maxDepth: 5, maxAliases: 2, maxTokens: 1000, maxCost: 1000 };

function errors(query: string) {
  return validate(schema, parse(query), queryLimitRules(limits)).map((e) => ({ message: e.message, code: e.extensions.code }));
}

describe('queryLimitRules', () => {
  it('passes a query within every limit', () => {
    expect(errors('{ items(first: 5) { id children(first: 5) { id } } }')).toEqual([]);
  });

  it('measures depth, also through fragments (which add no level of their own)', () => {
    expect(errors('{ item { children { children { children { id } } } } }')).toEqual([]);
    expect(errors('{ item { children { children { children { children { id } } } } } }')).toEqual([
      { message: 'Query depth limit of 5 exceeded, found 6.', code: 'QUERY_TOO_COMPLEX' },
    ]);
    expect(errors('{ item { ...F } } fragment F on Item { children { children { children { id } } } }')).toEqual([]);
    expect(errors('{ item { ...F } } fragment F on Item { children { children { children { children { id } } } } }')).toHaveLength(1);
  });

  it('counts aliases, also in fragments at each spread', () => {
    expect(errors('{ a: item { id } b: item { id } }')).toEqual([]);
    expect(errors('{ a: item { id } b: item { id } c: item { id } }')[0]).toEqual({
      message: 'Aliases limit of 2 exceeded, found 3.',
      code: 'QUERY_TOO_COMPLEX',
    });
    expect(errors('{ item { ...F ...G } } fragment F on Item { a: id } fragment G on Item { ...F b: name }')[0].message).toMatch(/found 3/);
  });

  it('multiplies the cost of a page’s children by its first', () => {
    // 1 (items) + 10 * (1 id + 1 children + 10 * 1 id) = 121
    expect(errors('{ items(first: 10) { id children(first: 10) { id } } }')).toEqual([]);
    // 1 + 40 * (1 + 1 + 40 * 1) = 1681
    expect(errors('{ items(first: 40) { id children(first: 40) { id } } }')).toEqual([
      { message: 'Query cost 1681 exceeds the limit of 1000', code: 'QUERY_TOO_COMPLEX' },
    ]);
  });

  it('scales a fragment’s cost at each spread, exactly as if it were written out', () => {
    const spread = errors('{ items(first: 40) { ...F } } fragment F on Item { id children(first: 40) { id } }');
    expect(spread).toEqual([{ message: 'Query cost 1681 exceeds the limit of 1000', code: 'QUERY_TOO_COMPLEX' }]);
    // Two spreads of a fragment that spreads another twice: 1 (item) + 2 * 2 * 4 (id, name, children, its id) = 17.
    const nested = validate(schema, parse('{ item { ...A ...A } } fragment A on Item { ...B ...B } fragment B on Item { id name children { id } }'), [
      ...queryLimitRules({ ...limits, maxCost: 16 }),
    ]);
    expect(nested.map((e) => e.message)).toEqual(['Query cost 17 exceeds the limit of 16']);
  });

  it('takes a first given by a variable as the largest page', () => {
    expect(errors('query ($n: Int) { items(first: $n) { id children(first: $n) { id } } }')[0].message).toMatch(/cost/);
  });

  it('does not loop on fragment cycles (graphql-js reports those)', () => {
    expect(() => errors('{ item { ...A } } fragment A on Item { children { ...B } } fragment B on Item { ...A }')).not.toThrow();
  });

  it('leaves introspection to the schema: getIntrospectionQuery with every option passes the limits', () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
    expect(validate(schema, parse(query), [...specifiedRules, ...queryLimitRules(limits)])).toEqual([]);
  });
});
