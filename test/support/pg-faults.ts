import { Client } from 'pg';

/**
 * Runs `fn` while every compiled read of the tenant `organizationId` (the tenant binding and the
 * compiled statement, sent as one simple query) fails in PostgreSQL: its statement is replaced by
 * a real error (division by zero). Returns what `fn` returned and how many statements failed.
 */
export async function withFailingCompiledReads<T>(organizationId: string, fn: () => Promise<T>): Promise<{ result: T; failed: number }> {
  const original = Client.prototype.query;
  let failed = 0;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    if (typeof args[0] === 'string' && args[0].startsWith('SELECT set_config') && args[0].includes(organizationId) && args[0].includes(' AS data, ')) {
      failed++;
      args[0] = args[0].replace(/; SELECT [\s\S]*$/, '; SELECT 1 / 0 AS data');
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  try {
    return { result: await fn(), failed };
  } finally {
    Client.prototype.query = original;
  }
}
