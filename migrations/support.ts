import type { QueryRunner } from 'typeorm';

/**
 * Puts `table` under tenant isolation: row-level security enabled and FORCEd, one policy that
 * matches only rows of the tenant in `app.tenant` (an unset tenant matches nothing), and the
 * application role granted plain DML on it.
 */
export async function isolateTenantTable(runner: QueryRunner, table: string, column = 'organization_id'): Promise<void> {
  await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await runner.query(
    `CREATE POLICY tenant_isolation ON ${table} USING (${column} = app_tenant()) WITH CHECK (${column} = app_tenant())`,
  );
  await runner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO rapport_app`);
}
