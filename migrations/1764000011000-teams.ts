import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

/** Sessions with an id (jti), invitations, and the append-only audit log. */
export class Teams1764000011000 implements MigrationInterface {
  name = 'Teams1764000011000';

  async up(q: QueryRunner): Promise<void> {
    // One row per session token; the token carries its id as `jti`. Revoked rows feed every
    // node's in-memory revocation list, so checking a token never reads this table.
    await q.query(`CREATE TABLE sessions (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      PRIMARY KEY (organization_id, id)
    )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (organization_id, user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL`);
    await isolateTenantTable(q, 'sessions');

    // Only a SHA-256 of the token is stored; the token itself is shown once.
    await q.query(`CREATE TABLE invitations (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'ANALYST', 'VIEWER')),
      token_hash bytea NOT NULL,
      invited_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      revoked_at timestamptz,
      PRIMARY KEY (organization_id, id),
      UNIQUE (organization_id, token_hash)
    )`);
    // Accepting looks a token up before its organization is known.
    await q.query(`CREATE INDEX invitations_token_idx ON invitations (token_hash)`);
    await q.query(`CREATE INDEX invitations_email_idx ON invitations (organization_id, lower(email))
      WHERE accepted_at IS NULL AND revoked_at IS NULL`);
    await isolateTenantTable(q, 'invitations');

    await q.query(`CREATE TABLE audit_events (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      action text NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('USER', 'API_KEY')),
      actor_id uuid NOT NULL,
      actor_name text NOT NULL,
      target_id text,
      request_id text NOT NULL,
      PRIMARY KEY (organization_id, id)
    )`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (organization_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (organization_id, action, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (organization_id, actor_id, created_at DESC, id DESC)`);
    await q.query(`ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE audit_events FORCE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY tenant_isolation ON audit_events USING (organization_id = app_tenant()) WITH CHECK (organization_id = app_tenant())`,
    );
    // Append-only for the application: no UPDATE, no DELETE.
    await q.query(`GRANT SELECT, INSERT ON audit_events TO rapport_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events, invitations, sessions`);
  }
}
