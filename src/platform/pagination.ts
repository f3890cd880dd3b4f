import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { BadInputError } from './errors.js';
import { isUuid } from '../db/ids.js';

/** Default and largest page size of every connection (CONTRACT.md). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: 'Where a page of a connection stands (Relay spec).', simpleResolvers: true })
export class PageInfo {
  @Field({ description: 'True when more items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'True when the page was asked for `after` a cursor, so items come before it.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { description: 'The cursor of the page’s first edge; null on an empty page.', nullable: true })
  startCursor!: string | null;

  @Field(() => String, { description: 'The cursor of the page’s last edge; null on an empty page. Pass it as `after` for the next page.', nullable: true })
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

/** The opaque cursor of a row's `<created_at micros>:<id>`. */
export function encodeCursor(key: string): string {
  return Buffer.from(`v1:${key}`).toString('base64url');
}

/** Keyset micros a real row can have (years 0001 to 9999): beyond, PostgreSQL's date arithmetic overflows. */
const MIN_MICROS = -62_135_596_800_000_000n;
const MAX_MICROS = 253_402_300_800_000_000n;
const inRange = (micros: bigint) => micros >= MIN_MICROS && micros < MAX_MICROS;

function decodeCursor(cursor: string): { micros: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^v1:(-?\d{1,19}):(.+)$/.exec(text);
  if (!match || !isUuid(match[2]) || !inRange(BigInt(match[1]))) throw new BadInputError('after is not a valid cursor', { field: 'after' });
  return { micros: match[1], id: match[2] };
}

/**
 * The Relay connection and edge types of a node type: `<Name>Connection` and `<Name>Edge`. Their
 * fields use graphql's default resolver (simpleResolvers): they are hot in nested reads.
 */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.`, simpleResolvers: true })
  class Edge {
    @Field({ description: `Opaque; pass it as \`after\` to read the ${name} nodes that follow.` })
    cursor!: string;

    @Field(() => node, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} nodes (Relay connection).`, simpleResolvers: true })
  class Connection {
    @Field(() => [Edge], { description: 'The nodes of this page, in order, each with its cursor.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Where this page stands: whether more follow, and the cursors to go on.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Rows matching the filter, over all pages.' })
    totalCount!: number;
  }
  return Connection;
}

