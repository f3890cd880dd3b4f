import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** How a GraphQL field of a node type is read: its SQL expression, and whether it is a time. */
export interface ColumnSpec {
  sql: string;
  /** Read as epoch milliseconds (float8) and turned into a Date: much cheaper than parsing timestamptz text. */
  time?: boolean;
}

/** The readable fields of a node type, by GraphQL field name. */
export type ColumnMap = Readonly<Record<string, ColumnSpec>>;

/** SQL for epoch milliseconds of a timestamptz column. */
export function epochMs(column: string): string {
  return `date_part('epoch', ${column}) * 1000`;
}

/**
 * The columns one read selects: all of a type's fields, or only those a GraphQL selection asks
 * for plus the ones its field resolvers need. Rows read with a partial projection must not be
 * cached as whole rows.
 */
export class Projection {
  readonly fields: readonly string[];
  readonly sql: string;
  readonly complete: boolean;
  private readonly times: readonly string[];

  /**
   * `wanted`: the GraphQL fields asked for, or null for all; `needs`: columns that other fields
   * (field resolvers) read, such as `owner` needing `ownerId`. `id` is always read.
   */
  constructor(map: ColumnMap, wanted: Iterable<string> | null, needs: Readonly<Record<string, readonly string[]>> = {}) {
    const all = Object.keys(map);
    const set = new Set<string>(wanted ? ['id'] : all);
    for (const f of wanted ?? []) {
      if (Object.hasOwn(map, f)) set.add(f);
      if (Object.hasOwn(needs, f)) for (const column of needs[f]) set.add(column);
    }
    this.fields = all.filter((f) => set.has(f));
    this.complete = this.fields.length === all.length;
    this.sql = this.fields.map((f) => `${map[f].sql} AS "${f}"`).join(', ');
    this.times = this.fields.filter((f) => map[f].time);
  }

  /** A stable name of the column set, for loader keys. */
  get key(): string {
    return this.complete ? '*' : this.fields.join(',');
  }

  /** Loader keys serialize a projection by its column set. */
  toJSON(): string {
    return this.key;
  }

  /** Turns the epoch-millisecond fields of rows into Dates, in place, and returns the rows. */
  hydrate<T>(rows: T[]): T[] {
    if (!this.times.length) return rows;
    for (const row of rows as Array<Record<string, unknown>>) {
      // Rounded to the microsecond first, so float error never moves a time across a millisecond.
      for (const f of this.times) if (row[f] !== null) row[f] = new Date(Math.trunc(Math.round((row[f] as number) * 1000) / 1000));
    }
    return rows;
  }
}

/** A row read for a page, with its keyset micros (keyset.ts `keysetPage`, read as text). */
export interface KeysetRow {
  id: string;
  _micros?: string;
}

function keysetCompare(a: KeysetRow, b: KeysetRow): number {
  const x = a._micros!;
  const y = b._micros!;
  // Equal-length non-negative integers compare as text; anything else as numbers.
  const byTime = x.length === y.length && x[0] !== '-' && y[0] !== '-' ? (x < y ? -1 : x > y ? 1 : 0) : Number(x) - Number(y);
  return byTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Puts one parent's rows in keyset order. A lateral page comes out of PostgreSQL in its own
 * ORDER BY, so this is a linear check that sorts only if a plan ever interleaved the rows.
 */
export function inKeysetOrder<T extends KeysetRow>(rows: T[]): T[] {
  for (let i = 1; i < rows.length; i++) {
    if (keysetCompare(rows[i - 1], rows[i]) > 0) return rows.sort(keysetCompare);
  }
  return rows;
}

function collect(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, path: readonly string[], out: Set<string>): void {
  if (!set) return;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (path.length === 0) out.add(sel.name.value);
      else if (sel.name.value === path[0]) collect(sel.selectionSet, info, path.slice(1), out);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      collect(sel.selectionSet, info, path, out);
    } else {
      collect(info.fragments[sel.name.value]?.selectionSet, info, path, out);
    }
  }
}

/** The fields a connection field's selection asks of its nodes (`edges { node { … } }`). */
export function selectedNodeFields(info: GraphQLResolveInfo): Set<string> {
  const out = new Set<string>();
  for (const node of info.fieldNodes) collect(node.selectionSet, info, ['edges', 'node'], out);
  return out;
}

const selections = new WeakMap<object, ReadonlySet<string>>();

/**
 * The fields a field's selection asks of its value (fragments followed), walked once per field of
 * the query: graphql-js hands every list item the same `fieldNodes`.
 */
export function selectedFields(info: GraphQLResolveInfo): ReadonlySet<string> {
  let out = selections.get(info.fieldNodes);
  if (!out) {
    const set = new Set<string>();
    for (const node of info.fieldNodes) collect(node.selectionSet, info, [], set);
    selections.set(info.fieldNodes, (out = set));
  }
  return out;
}

const projections = new WeakMap<object, Map<ColumnMap, Projection>>();

/**
 * The projection of a connection field's nodes. graphql-js hands every list item of one field
 * the same `fieldNodes` array, so the selection is walked once per field of the query, not per parent.
 */
export function nodeProjection(info: GraphQLResolveInfo, map: ColumnMap, needs: Readonly<Record<string, readonly string[]>>): Projection {
  let byMap = projections.get(info.fieldNodes);
  if (!byMap) projections.set(info.fieldNodes, (byMap = new Map()));
  let projection = byMap.get(map);
  if (!projection) byMap.set(map, (projection = new Projection(map, selectedNodeFields(info), needs)));
  return projection;
}
