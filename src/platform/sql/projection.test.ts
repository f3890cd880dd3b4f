import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { epochMs, inKeysetOrder, nodeProjection, Projection, selectedNodeFields, type ColumnMap } from './projection';

const MAP: ColumnMap = {
  id: { sql: 't.id' },
  name: { sql: 't.name' },
  ownerId: { sql: 't.owner_id' },
  createdAt: { sql: epochMs('t.created_at'), time: true },
};

describe('Projection', () => {
  it('reads every column when no selection is given', () => {
    const all = new Projection(MAP, null);
    expect(all.complete).toBe(true);
    expect(all.key).toBe('*');
    expect(all.sql).toBe(`t.id AS "id", t.name AS "name", t.owner_id AS "ownerId", date_part('epoch', t.created_at) * 1000 AS "createdAt"`);
  });

  it('reads the id, the selected columns and what field resolvers need, ignoring other fields', () => {
    const p = new Projection(MAP, ['name', 'owner', 'strength'], { owner: ['ownerId'] });
    expect(p.fields).toEqual(['id', 'name', 'ownerId']);
    expect(p.complete).toBe(false);
    expect(p.key).toBe('id,name,ownerId');
    expect(JSON.stringify({ p })).toBe('{"p":"id,name,ownerId"}');
  });

  it('turns epoch milliseconds into Dates and keeps nulls', () => {
    const rows = new Projection(MAP, null).hydrate([{ createdAt: 1_700_000_000_123.456 }, { createdAt: null }]);
    expect(rows[0].createdAt).toEqual(new Date(1_700_000_000_123));
    expect(rows[1].createdAt).toBeNull();
  });

  it('never lets float error move a time across a millisecond', () => {
    const [row] = new Projection(MAP, null).hydrate([{ createdAt: 1_767_323_044_999.9998 }]);
    expect(row.createdAt).toEqual(new Date(1_767_323_045_000));
  });

  it('ignores inherited property names', () => {
    expect(new Projection(MAP, ['constructor', 'toString'], {}).fields).toEqual(['id']);
  });
});

describe('inKeysetOrder', () => {
  const row = (micros: string, id: string) => ({ _micros: micros, id });

  it('leaves ordered rows as they are', () => {
    const rows = [row('9', 'b'), row('10', 'a'), row('10', 'b'), row('11', 'a')];
    expect(inKeysetOrder([...rows])).toEqual(rows);
  });

  it('sorts interleaved rows by time, then id, numerically across lengths and signs', () => {
    const sorted = inKeysetOrder([row('100', 'a'), row('-5', 'z'), row('20', 'b'), row('20', 'a')]);
    expect(sorted.map((r) => `${r._micros}:${r.id}`)).toEqual(['-5:z', '20:a', '20:b', '100:a']);
  });
});

describe('selectedNodeFields', () => {
  const schema = buildSchema(`
    type Node { id: ID, name: String, owner: String }
    type Edge { cursor: String, node: Node }
    type Conn { edges: [Edge], totalCount: Int }
    type Query { conn: Conn }
  `);

  async function capture(query: string): Promise<GraphQLResolveInfo> {
    let info: GraphQLResolveInfo | undefined;
    await execute({
      schema,
      document: parse(query),
      fieldResolver: (_s, _a, _c, i) => {
        if (i.fieldName === 'conn') info = i;
        return null;
      },
    });
    return info!;
  }

  it('collects node fields through fragments and inline fragments, not edge or connection fields', async () => {
    const info = await capture(`{ conn { totalCount edges { cursor node { id ...F ... on Node { owner } } } } } fragment F on Node { name }`);
    expect([...selectedNodeFields(info)].sort()).toEqual(['id', 'name', 'owner']);
  });

  it('is empty when no node is selected, and memoized per field of the query', async () => {
    const info = await capture(`{ conn { totalCount } }`);
    expect(selectedNodeFields(info).size).toBe(0);
    const p = nodeProjection(info, MAP, {});
    expect(p.fields).toEqual(['id']);
    expect(nodeProjection(info, MAP, {})).toBe(p);
  });
});
