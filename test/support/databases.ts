import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The same server's maintenance database, for CREATE/DROP DATABASE. */
export function adminUrl(base: string): string {
  return databaseUrl(base, 'postgres');
}

/** `base` pointed at another database of the same server. */
export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database of its own for one test file, copied from the migrated template. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database from the template made by globalSetup. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.RAPPORT_TEST_DATABASE_URL;
  const template = process.env.RAPPORT_TEST_TEMPLATE;
  if (!base || !template) throw new Error('test database settings missing: run the tests through jest (globalSetup)');
  const name = `rapport_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(base, name),
    name,
    drop: async () => {
      const c = new Client({ connectionString: adminUrl(base) });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
