import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase } from '../../src/db/data-source';
import { entities } from '../../src/entities';
import { createLogger, type Logger } from '../../src/platform/logger';
import { createServer, type RapportServer, type ServerOptions } from '../../src/server';
import { createTestDatabase, type TestDatabase } from './databases';
import { GraphQLClient } from './graphql-client';

/** A real server on a free port over its own database, with an HTTP GraphQL client. */
export interface TestServer {
  server: RapportServer;
  db: TestDatabase;
  ds: DataSource;
  url: string;
  client(token?: string): GraphQLClient;
  close(): Promise<void>;
}

/** Starts a server for one test file; `close` stops it and drops its database. */
export async function startTestServer(
  overrides: Partial<Config> = {},
  options: { db?: TestDatabase; logger?: Logger; jobs?: ServerOptions['jobs']; fastRoute?: ServerOptions['fastRoute']; liveLimits?: ServerOptions['liveLimits'] } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig(
    { ...process.env, DATABASE_URL: db.url, REDIS_URL: undefined, NODE_ENV: 'test' },
    { port: 0, logLevel: (process.env.TEST_LOG_LEVEL as Config['logLevel']) ?? 'silent', sessionSecret: 'test-secret-that-is-long-enough-for-hs256', ...overrides },
  );
  const ds = await openDatabase(db.url, config.poolSize, entities);
  const server = await createServer(config, {
    ds,
    logger: options.logger ?? createLogger(config.logLevel),
    jobs: options.jobs,
    fastRoute: options.fastRoute,
    liveLimits: options.liveLimits,
  });
  return {
    server,
    db,
    ds,
    url: server.url,
    client: (token?: string) => new GraphQLClient(`${server.url}/graphql`, token),
    close: async () => {
      await server.close();
      await ds.destroy();
      if (!options.db) await db.drop();
    },
  };
}
