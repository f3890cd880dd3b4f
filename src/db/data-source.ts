import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './entities.js';
import { migrations } from '../../migrations/index.js';

/** Builds (does not open) the TypeORM DataSource; the schema changes only through migrations. */
export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, application_name: 'rapport' },
  });
}

/** Opens the DataSource and applies pending migrations. */
export async function openDatabase(url: string, poolSize = 10): Promise<DataSource> {
  const ds = createDataSource(url, poolSize);
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}
