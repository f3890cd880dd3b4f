import { migrateDatabase } from './migrate-command.js';

/** `node dist/src/cli/migrate.js` (the Docker image's first step): applies pending migrations to DATABASE_URL and exits. */
migrateDatabase().then(
  (applied) => process.stdout.write(`migrations applied: ${applied.join(', ')}\n`),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
