import type { Page } from '../pagination.js';
import type { SqlValues } from './sql-params.js';

/** SQL for the exact keyset micros of a row (created_at in microseconds, as bigint). */
function keysetMicros(alias: string): string {
  return `floor(extract(epoch from ${alias}.created_at) * 1000000)::bigint`;
}

/** The SQL pieces of one keyset page over a table aliased `alias`, in (created_at, id) order (or its reverse). */
export interface KeysetPageSql {
  /** Select item of the row's keyset micros as `_micros` (int8, read as text), which `connectionOf` makes cursors of. */
  micros: string;
  /** Condition: rows after the page's cursor (TRUE on a first page). */
  after: string;
  /** `ORDER BY … LIMIT first + 1`: one row more than the page, to know whether another page follows. */
  orderLimit: string;
}

/**
 * The one keyset page helper: cursors are (created_at in microseconds, id), so they stay valid
 * as rows are inserted. Parameters are added to `params`; call it where its placeholders belong
 * (after those of conditions that come first in the statement, or anywhere: numbering is by value).
 */
export function keysetPage(alias: string, page: Page, params: SqlValues, order: { newestFirst?: boolean } = {}): KeysetPageSql {
  const [cmp, dir] = order.newestFirst ? ['<', ' DESC'] : ['>', ''];
  const after = page.after
    ? `(${alias}.created_at, ${alias}.id) ${cmp} (timestamptz 'epoch' + ${params.add(page.after.micros, 'bigint')} * interval '1 microsecond', ${params.add(page.after.id, 'uuid')})`
    : 'TRUE';
  return {
    micros: `${keysetMicros(alias)} AS "_micros"`,
    after,
    orderLimit: `ORDER BY ${alias}.created_at${dir}, ${alias}.id${dir} LIMIT ${params.add(page.first + 1)}`,
  };
}
