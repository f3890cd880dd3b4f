import 'reflect-metadata';
import { Logger as WorkerLogger, runMigrations as migrateJobQueue } from 'graphile-worker';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/** Memory each sort or hash of a statement may use before spilling to disk. */
export const WORK_MEM = '32MB';

/** The entity classes TypeORM loads and saves; the composition root (src/entities.ts) lists them. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = Function[];

/**
 * Builds (does not open) the TypeORM DataSource; the schema changes only through migrations.
 * `entities`: none are needed to migrate, only to load and save rows as entities.
 */
export function createDataSource(url: string, poolSize = 10, entities: EntityList = []): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // Aggregates over a year of points sort and hash more than the 4 MB default allows in memory.
    extra: { max: poolSize, application_name: 'rapport', options: `-c work_mem=${WORK_MEM}` },
  });
}

/** graphile-worker logs its migrations at info; nothing of it is worth a line here. */
const QUIET = new WorkerLogger(() => () => undefined);

/** Key of the advisory lock that serialises migrations when several nodes start at once. */
const MIGRATION_LOCK = 72_707_001;

/** Applies pending migrations, ours then the job queue's own schema (graphile-worker migrates it), one node at a time. */
export async function migrate(ds: DataSource): Promise<void> {
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await ds.runMigrations();
    await migrateJobQueue({ connectionString: (ds.options as { url?: string }).url, maxPoolSize: 1, logger: QUIET });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

/** Opens the DataSource and applies pending migrations. */
export async function openDatabase(url: string, poolSize = 10, entities: EntityList = []): Promise<DataSource> {
  const ds = createDataSource(url, poolSize, entities);
  await ds.initialize();
  try {
    await migrate(ds);
  } catch (e) {
    await ds.destroy();
    throw e;
  }
  return ds;
}
