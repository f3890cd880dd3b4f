import type { ClientBase, QueryResult } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, type DataSource, type QueryRunner } from 'typeorm';

/**
 * Most statements that may be declared. PostgreSQL and node-postgres keep every named statement
 * of a connection until it closes, so the set must stay small and fixed: only constants declared
 * at module load, never texts built at run time.
 */
export const MAX_PREPARED_STATEMENTS = 64;

/** A name is dotted lower-case words: `metrics.insert_points`. */
const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** The declared statements by name; a name is never reused for another text. */
const declared = new Map<string, string>();

/** Only `preparedStatement` holds this, so every PreparedStatement was declared (and counted). */
const DECLARED: unique symbol = Symbol('declared by preparedStatement');

/**
 * A statement whose SQL text is a constant, run as a named prepared statement: PostgreSQL parses it
 * once per connection and may keep its plan (plan_cache_mode decides between custom and generic
 * plans). Row-level security still applies: the role and `app.tenant` are read when it runs, and a
 * plan made under another role is made again (PostgreSQL records the role a plan depends on).
 */
export class PreparedStatement {
  /** Use `preparedStatement`. */
  constructor(
    token: typeof DECLARED,
    /** Its name on every connection (node-postgres keeps which names a connection has parsed). */
    readonly name: string,
    readonly text: string,
  ) {
    if (token !== DECLARED) throw new Error('a PreparedStatement is made only by preparedStatement');
  }
}

/**
 * Declares a constant statement to run prepared (`TenantDb.query` and `ownerQuery` take it where
 * they take SQL text). Call it once per statement at module load, with a literal text: the name
 * must be new or given again with the very same text, and at most MAX_PREPARED_STATEMENTS exist.
 */
export function preparedStatement(name: string, text: string): PreparedStatement {
  if (!NAME.test(name)) throw new Error(`prepared statement name '${name}' must be dotted lower-case words (feature.statement)`);
  const known = declared.get(name);
  if (known !== undefined && known !== text) throw new Error(`prepared statement '${name}' is declared twice with different texts`);
  if (known === undefined) {
    if (declared.size >= MAX_PREPARED_STATEMENTS) throw new Error(`more than ${MAX_PREPARED_STATEMENTS} prepared statements: declare only constant hot statements`);
    declared.set(name, text);
  }
  return new PreparedStatement(DECLARED, name, text);
}

/** The names declared so far in this process (each is at most one prepared statement per connection). */
export function declaredStatementNames(): string[] {
  return [...declared.keys()];
}

/**
 * Runs `statement` on `runner`'s connection as a named statement (Parse only the first time on
 * that connection) and answers what `runner.query(statement.text, params)` would: the rows, or
 * `[rows, rowCount]` for UPDATE and DELETE; a failure is the same QueryFailedError (same code,
 * message and driverError), so callers and the error masking see no difference.
 */
export async function runPrepared<T>(runner: QueryRunner, statement: PreparedStatement, params: unknown[] = []): Promise<T> {
  if (runner.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const client = (await runner.connect()) as ClientBase;
  let raw: QueryResult;
  try {
    raw = await client.query({ name: statement.name, text: statement.text, values: params });
  } catch (e) {
    throw new QueryFailedError(statement.text, params, e as Error);
  }
  return (raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows) as T;
}

/**
 * Runs a statement on a pooled connection of its own as the pool's user, outside any tenant: for
 * the lookups that find the tenant (credentials), as `ds.query` does, prepared when declared so.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function ownerQuery<T = any>(ds: DataSource, statement: string | PreparedStatement, params?: unknown[]): Promise<T[]> {
  if (typeof statement === 'string') return ds.query(statement, params);
  const runner = ds.createQueryRunner();
  try {
    return await runPrepared<T[]>(runner, statement, params);
  } finally {
    await runner.release();
  }
}
