import { Client, type Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** Statements a node sends on its own now and then (its session revocation list), not for a request. */
const BACKGROUND = /\bFROM sessions\b/;

/**
 * The SQL of every statement sent on the connections of `ds`'s pool while `fn` runs: a counting
 * wrapper on the pool's own clients (pg's `Client#query`), so nothing that reaches PostgreSQL
 * through the pool is missed, whatever layer sent it. Other pools (a baseline's) are not counted.
 */
export async function statementsOf(ds: DataSource, fn: () => Promise<unknown>): Promise<string[]> {
  const pool = (ds.driver as unknown as { master: Pool & { _clients: Client[] } }).master;
  const original = Client.prototype.query;
  const seen: string[] = [];
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    if (pool._clients.includes(this) && !BACKGROUND.test(text)) seen.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  try {
    await fn();
  } finally {
    Client.prototype.query = original;
  }
  return seen;
}
