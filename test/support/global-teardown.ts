import { Client } from 'pg';
import { adminUrl } from './databases';

/** Drops the template database and stops the embedded PostgreSQL, if one was started. */
export default async function globalTeardown(): Promise<void> {
  const base = process.env.RAPPORT_TEST_DATABASE_URL;
  const template = process.env.RAPPORT_TEST_TEMPLATE;
  if (base && template) {
    const admin = new Client({ connectionString: adminUrl(base) });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  }
  const embedded = (globalThis as { __embedded?: { stop(): Promise<void> } }).__embedded;
  if (embedded) await embedded.stop();
}
