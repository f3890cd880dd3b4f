import { loadConfig } from './src/config.js';
import { createDataSource } from './src/db/data-source.js';

const config = loadConfig();
if (!config.databaseUrl) {
  throw new Error('DATABASE_URL: the TypeORM CLI needs it (npm start migrates the embedded database itself)');
}

/** The DataSource the TypeORM CLI uses (`npm run migration:run`). */
export default createDataSource(config.databaseUrl);
