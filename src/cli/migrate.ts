import { loadConfig } from '../config.js';
import { createDataSource, migrate } from '../db/data-source.js';

/** `node dist/src/cli/migrate.js`: applies pending migrations to DATABASE_URL and exits. */
async function run(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL: required to run migrations');
  const ds = createDataSource(config.databaseUrl);
  await ds.initialize();
  try {
    await migrate(ds);
    const applied: Array<{ name: string }> = await ds.query('SELECT name FROM migrations ORDER BY id');
    process.stdout.write(`migrations applied: ${applied.map((m) => m.name).join(', ')}\n`);
  } finally {
    await ds.destroy();
  }
}

run().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
