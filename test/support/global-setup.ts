import './resolve-ts';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../../src/db/data-source';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { createLogger } from '../../src/platform/logger';
import { adminUrl, databaseUrl } from './databases';

/**
 * Once per test run: find a PostgreSQL (DATABASE_URL, else an embedded one under .data/test),
 * and migrate a template database that every test file copies into its own database.
 */
export default async function globalSetup(): Promise<void> {
  let base = process.env.DATABASE_URL;
  if (!base) {
    const embedded = await startEmbeddedPostgres(join(process.cwd(), '.data', 'test'), createLogger('warn'), {
      port: 54330,
      name: 'postgres',
    });
    (globalThis as { __embedded?: unknown }).__embedded = embedded;
    base = embedded.url;
  }
  const template = `rapport_template_${process.pid}`;
  process.env.RAPPORT_TEST_DATABASE_URL = base;
  process.env.RAPPORT_TEST_TEMPLATE = template;
  const admin = new Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const ds = await openDatabase(databaseUrl(base, template));
  await ds.destroy();
}
