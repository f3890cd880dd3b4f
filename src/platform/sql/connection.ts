import { encodeCursor, type Page, type PageInfo } from '../pagination.js';
import type { KeysetRow } from './projection.js';

/** An edge whose cursor is encoded only if a client asks for it. */
class Edge<T extends KeysetRow> {
  constructor(readonly node: T) {}

  get cursor(): string {
    return cursorOf(this.node);
  }
}

function cursorOf(row: KeysetRow): string {
  return encodeCursor(`${row._micros}:${row.id}`);
}

/** A Relay connection whose cursors and totalCount are computed only when a client reads them. */
export interface Connection<T> {
  edges: Array<{ readonly cursor: string; node: T }>;
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/**
 * The Relay connection of rows read with `keysetPage` (LIMIT first + 1), with lazy
 * parts: edge cursors are encoded on demand, and totalCount is a memoized getter (type-graphql's
 * field resolvers read a property without calling it, so a function would reach the client as a function).
 */
export function connectionOf<T extends KeysetRow>(rows: T[], page: Page, total: () => Promise<number>): Connection<T> {
  const visible = rows.length > page.first ? rows.slice(0, page.first) : rows;
  let counted: Promise<number> | undefined;
  return {
    edges: visible.map((row) => new Edge(row)),
    pageInfo: {
      hasNextPage: rows.length > page.first,
      // Relay lets a forward page say whether items precede it when that is cheap: they do after a cursor.
      hasPreviousPage: page.after !== null,
      get startCursor() {
        return visible.length ? cursorOf(visible[0]) : null;
      },
      get endCursor() {
        return visible.length ? cursorOf(visible[visible.length - 1]) : null;
      },
    },
    get totalCount() {
      return (counted ??= total());
    },
  };
}
