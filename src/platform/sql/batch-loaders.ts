import DataLoader from 'dataloader';
import type { TenantDb } from '../../db/tenant.js';
import type { TenantScope } from '../context.js';
import { isUuid } from '../../db/ids.js';
import type { Page } from '../pagination.js';
import { inKeysetOrder, type KeysetRow, type Projection } from './projection.js';

/** Distinct well-formed ids, lower-cased as PostgreSQL prints them; malformed ids match nothing. */
export function validIds(ids: readonly string[]): string[] {
  return [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
}

/**
 * A loader of rows by id: `sql` selects the columns of `row` where the id is in `$1::uuid[]`.
 * Unknown, malformed and other tenants' ids load as null.
 */
export function byIdLoader<T extends { id: string }>(scope: TenantScope, sql: string, row: Projection): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const wanted = validIds(ids);
    const rows: T[] = wanted.length ? row.hydrate(await (await scope.db()).query(sql, [wanted])) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}

/**
 * A loader of a value per parent id: `sql` returns at most one row per parent, with the parent's
 * id in `_parent`, for the parents in `$1::uuid[]`; `value` maps a parent's row (undefined when none).
 */
export function perParentLoader<T extends { _parent: string }, V>(
  scope: TenantScope,
  sql: string,
  value: (row: T | undefined) => V,
): DataLoader<string, V> {
  return new DataLoader<string, V>(async (ids) => {
    const wanted = validIds(ids);
    const rows: T[] = wanted.length ? await (await scope.db()).query(sql, [wanted]) : [];
    const byParent = new Map(rows.map((r) => [r._parent, r]));
    return ids.map((id) => value(byParent.get(id.toLowerCase())));
  });
}

/** A loader of rows grouped by parent: `sql` returns the columns of `row` and `_parent` for the parents in `$1::uuid[]`, in order. */
export function listPerParentLoader<T extends { _parent: string }>(scope: TenantScope, sql: string, row: Projection): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (ids) => {
    const wanted = validIds(ids);
    const rows: T[] = wanted.length ? row.hydrate(await (await scope.db()).query(sql, [wanted])) : [];
    const byParent = rowsByParent(rows);
    return ids.map((id) => byParent.get(id.toLowerCase()) ?? []);
  });
}

function rowsByParent<T extends { _parent: string }>(rows: T[]): Map<string, T[]> {
  const byParent = new Map<string, T[]>();
  for (const row of rows) {
    let list = byParent.get(row._parent);
    if (!list) byParent.set(row._parent, (list = []));
    list.push(row);
  }
  return byParent;
}

/** One parent's page of a nested connection, with the (normalized) arguments that shape it. */
export interface NestedPageKey<F> {
  parentId: string;
  page: Page;
  filter: F;
}

/** One parent's count of a nested connection's rows under a filter. */
export interface NestedCountKey<F> {
  parentId: string;
  filter: F;
}

/** Fetches the pages (first + 1 rows each, with `_parent` and `_micros`) of many parents in one statement. */
export type PagesFetcher<F, T> = (db: TenantDb, parentIds: string[], page: Page, filter: F) => Promise<Array<T & { _parent: string }>>;

/** Counts the rows of many parents in one grouped statement: rows `{_parent, count}`. */
export type CountsFetcher<F> = (db: TenantDb, parentIds: string[], filter: F) => Promise<Array<{ _parent: string; count: number }>>;

/** A short text naming a page request, for loader keys. */
function pageKey(page: Page): string {
  return page.after ? `${page.first}:${page.after.micros}:${page.after.id}` : `${page.first}`;
}

/** Groups keys that share the same arguments, so each distinct set of arguments costs one statement. */
function byArguments<K extends { parentId: string }>(keys: readonly K[], argsOf: (k: K) => string): { args: string[]; groups: Map<string, { key: K; ids: string[] }> } {
  const args = keys.map(argsOf);
  const groups = new Map<string, { key: K; ids: string[] }>();
  keys.forEach((k, i) => {
    let group = groups.get(args[i]);
    if (!group) groups.set(args[i], (group = { key: k, ids: [] }));
    group.ids.push(k.parentId);
  });
  return { args, groups };
}

/**
 * A loader of a nested connection's pages: the parents' pages that share arguments are fetched
 * together (one statement per distinct page and filter, whatever the number of parents).
 * `filterKey` names a filter in loader keys (JSON by default).
 */
export function nestedPageLoader<F, T extends KeysetRow>(
  scope: TenantScope,
  fetch: PagesFetcher<F, T>,
  filterKey: (filter: F) => string = (f) => JSON.stringify(f),
): DataLoader<NestedPageKey<F>, T[], string> {
  const argsOf = (k: NestedPageKey<F>) => `${pageKey(k.page)}|${filterKey(k.filter)}`;
  return new DataLoader<NestedPageKey<F>, T[], string>(
    async (keys) => {
      const db = await scope.db();
      const { args, groups } = byArguments(keys, argsOf);
      const pages = new Map<string, Map<string, T[]>>();
      for (const [name, group] of groups) {
        const ids = validIds(group.ids);
        const byParent = rowsByParent(ids.length ? await fetch(db, ids, group.key.page, group.key.filter) : []);
        for (const rows of byParent.values()) inKeysetOrder(rows);
        pages.set(name, byParent);
      }
      return keys.map((k, i) => pages.get(args[i])!.get(k.parentId.toLowerCase()) ?? []);
    },
    { cacheKeyFn: (k) => `${k.parentId.toLowerCase()}|${argsOf(k)}` },
  );
}

/** A loader of a nested connection's totalCount, one grouped statement per distinct filter. */
export function nestedCountLoader<F>(
  scope: TenantScope,
  fetch: CountsFetcher<F>,
  filterKey: (filter: F) => string = (f) => JSON.stringify(f),
): DataLoader<NestedCountKey<F>, number, string> {
  const argsOf = (k: NestedCountKey<F>) => filterKey(k.filter);
  return new DataLoader<NestedCountKey<F>, number, string>(
    async (keys) => {
      const db = await scope.db();
      const { args, groups } = byArguments(keys, argsOf);
      const counts = new Map<string, Map<string, number>>();
      for (const [name, group] of groups) {
        const ids = validIds(group.ids);
        const rows = ids.length ? await fetch(db, ids, group.key.filter) : [];
        counts.set(name, new Map(rows.map((r) => [r._parent, Number(r.count)])));
      }
      return keys.map((k, i) => counts.get(args[i])!.get(k.parentId.toLowerCase()) ?? 0);
    },
    { cacheKeyFn: (k) => `${k.parentId.toLowerCase()}|${argsOf(k)}` },
  );
}
