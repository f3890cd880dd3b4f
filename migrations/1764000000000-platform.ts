import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/** Organizations, users, memberships, API keys, the application role and the tenant function. */
export class Platform1764000000000 implements MigrationInterface {
  name = 'Platform1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rapport_app') THEN
        CREATE ROLE rapport_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
      END IF;
    END $$`);
    await q.query(`DO $$ BEGIN
      IF NOT pg_has_role(current_user, 'rapport_app', 'MEMBER') THEN
        EXECUTE format('GRANT rapport_app TO %I', current_user);
      END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO rapport_app`);
    await q.query(`CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
      $$ SELECT nullif(current_setting('app.tenant', true), '')::uuid $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION app_tenant() TO rapport_app`);

    await q.query(`CREATE TABLE organizations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      slug text NOT NULL UNIQUE,
      timezone text NOT NULL DEFAULT 'UTC',
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await isolateTenantTable(q, 'organizations', 'id');

    await q.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);

    await q.query(`CREATE TABLE memberships (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'ANALYST', 'VIEWER')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, user_id)
    )`);
    await q.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);
    await isolateTenantTable(q, 'memberships');

    // Users are not a tenant's rows, but a tenant sees only its own members.
    await q.query(`ALTER TABLE users ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE users FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY member_of_tenant ON users USING (
      EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.organization_id = app_tenant())
    )`);
    await q.query(`GRANT SELECT ON users TO rapport_app`);

    await q.query(`CREATE TABLE api_keys (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      prefix text NOT NULL,
      secret_hash bytea NOT NULL,
      scopes text[] NOT NULL,
      created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      PRIMARY KEY (organization_id, id)
    )`);
    await q.query(`CREATE INDEX api_keys_prefix_idx ON api_keys (prefix)`);
    await isolateTenantTable(q, 'api_keys');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys, memberships, users, organizations`);
    await q.query(`DROP FUNCTION app_tenant()`);
  }
}
