import { toConnection, type ConnectionResult, type Page, type PageInfo } from '../../platform/pagination.js';

/** A Relay connection whose totalCount is counted only when a client reads it. */
export interface Connection<T> {
  edges: ConnectionResult<T>['edges'];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/**
 * `toConnection` with totalCount as a memoized getter: type-graphql's field resolvers read the
 * property without calling it, so a function would reach the client as a function.
 */
export function connectionOf<T extends { _cursor?: string }>(rows: T[], page: Page, total: () => Promise<number>): Connection<T> {
  const { edges, pageInfo } = toConnection(rows, page, total);
  let counted: Promise<number> | undefined;
  return Object.defineProperty({ edges, pageInfo } as Connection<T>, 'totalCount', {
    get: () => (counted ??= total()),
    enumerable: true,
  });
}
