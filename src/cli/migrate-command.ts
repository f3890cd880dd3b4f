import { loadConfig } from '../config.js';
import { createDataSource, migrate } from '../db/data-source.js';

/** Applies pending migrations to DATABASE_URL and answers the names of all applied ones. */
export async function migrateDatabase(): Promise<string[]> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL: required to run migrations');
  const ds = createDataSource(config.databaseUrl);
  await ds.initialize();
  try {
    await migrate(ds);
    const applied: Array<{ name: string }> = await ds.query('SELECT name FROM migrations ORDER BY id');
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
