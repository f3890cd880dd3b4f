import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { BadInputError } from './errors.js';
import { isUuid } from './ids.js';

/** Default and largest page size of every connection (CONTRACT.md). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A validated page request: how many rows and the keyset position to start after. */
export interface Page {
  first: number;
  after: { micros: string; id: string } | null;
}

/**
 * Validates `first`/`after`: `first` 0..100 (default 20); `after` an opaque cursor from a previous
 * page. Cursors are (created_at in microseconds, id), so they stay valid as rows are inserted.
 */
export function pageOf(first: number | null | undefined, after: string | null | undefined): Page {
  const n = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw new BadInputError(`first must be between 0 and ${MAX_PAGE_SIZE}`, { field: 'first', max: MAX_PAGE_SIZE });
  }
  return { first: n, after: after ? decodeCursor(after) : null };
}

/** The opaque cursor of a row's (created_at micros, id). */
export function encodeCursor(key: string): string {
  return Buffer.from(`v1:${key}`).toString('base64url');
}

function decodeCursor(cursor: string): { micros: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^v1:(-?\d{1,19}):(.+)$/.exec(text);
  if (!match || !isUuid(match[2])) throw new BadInputError('after is not a valid cursor', { field: 'after' });
  return { micros: match[1], id: match[2] };
}

/** SQL for a row's cursor key: `<created_at in µs>:<id>`, exact where a JS Date would lose µs. */
export function cursorKeySql(alias: string): string {
  return `(floor(extract(epoch from ${alias}.created_at) * 1000000)::bigint)::text || ':' || ${alias}.id`;
}

/**
 * SQL condition for rows after the page's cursor in (created_at, id) order, using parameters
 * $n and $n+1; `TRUE` on a first page. Returns the condition and the parameters to append.
 */
export function afterSql(alias: string, page: Page, n: number): { sql: string; params: unknown[] } {
  if (!page.after) return { sql: 'TRUE', params: [] };
  return {
    sql: `(${alias}.created_at, ${alias}.id) > (timestamptz 'epoch' + $${n}::bigint * interval '1 microsecond', $${n + 1}::uuid)`,
    params: [page.after.micros, page.after.id],
  };
}

/** A page of rows as Relay's connection: `rows` holds up to first+1 rows, each with its `_cursor` key. */
export interface ConnectionResult<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  /** Counted only when a client reads it (a memoized getter: resolvers read properties, they do not call them). */
  readonly totalCount: Promise<number>;
}

/** Builds a connection from rows fetched with `LIMIT first + 1` and a `_cursor` column. */
export function toConnection<T extends { _cursor?: string }>(rows: T[], page: Page, totalCount: () => Promise<number>): ConnectionResult<T> {
  const visible = rows.slice(0, page.first);
  const edges = visible.map((node) => ({ cursor: encodeCursor(node._cursor!), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > page.first, endCursor: edges.at(-1)?.cursor ?? null },
    get totalCount() {
      return (counted ??= totalCount());
    },
  };
}

/**
 * The Relay connection and edge types of a node type: `<Name>Connection` and `<Name>Edge`. Their
 * fields use graphql's default resolver (simpleResolvers): they are hot in nested reads.
 */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Rows matching the filter, over all pages.' })
    totalCount!: number;
  }
  return Connection;
}

