import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './support.js';

const STAGES = `('CONNECTED', 'ENGAGED', 'LEAD', 'OPPORTUNITY', 'CUSTOMER')`;

/**
 * Communities, the relationships built in them, every stage change of a relationship, and the
 * conversations of a relationship. Connections page in (created_at, id) order, so each table has
 * an index for its parent's keyset; the built-in metrics filter by time, so those columns are indexed too.
 */
export class RelationshipGraph1764000001000 implements MigrationInterface {
  name = 'RelationshipGraph1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    // clock_timestamp(), not now(): rows written by several mutations of one operation (one
    // transaction) keep the order they were written in.
    await q.query(`CREATE TABLE communities (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      platform text NOT NULL CHECK (length(btrim(platform)) > 0),
      url text,
      qualified boolean NOT NULL DEFAULT false,
      alignment_score double precision CHECK (alignment_score >= 0 AND alignment_score <= 1),
      tags text[] NOT NULL DEFAULT '{}',
      archived_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id)
    )`);
    await q.query(`CREATE INDEX communities_page_idx ON communities (organization_id, created_at, id)`);
    await isolateTenantTable(q, 'communities');

    await q.query(`CREATE TABLE relationships (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      community_id uuid NOT NULL,
      name text NOT NULL CHECK (length(btrim(name)) > 0),
      handle text,
      company text,
      stage text NOT NULL DEFAULT 'CONNECTED' CHECK (stage IN ${STAGES}),
      qualified boolean NOT NULL DEFAULT false,
      owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id),
      FOREIGN KEY (organization_id, community_id) REFERENCES communities (organization_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX relationships_page_idx ON relationships (organization_id, created_at, id)`);
    await q.query(
      `CREATE INDEX relationships_community_page_idx ON relationships (organization_id, community_id, created_at, id) INCLUDE (qualified)`,
    );
    // `search` is a case-insensitive substring match on name, handle or company.
    await q.query(
      `CREATE INDEX relationships_search_idx ON relationships USING gin (name gin_trgm_ops, handle gin_trgm_ops, company gin_trgm_ops)`,
    );
    await isolateTenantTable(q, 'relationships');

    await q.query(`CREATE TABLE relationship_stage_changes (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      relationship_id uuid NOT NULL,
      from_stage text CHECK (from_stage IN ${STAGES}),
      to_stage text NOT NULL CHECK (to_stage IN ${STAGES}),
      changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id),
      FOREIGN KEY (organization_id, relationship_id) REFERENCES relationships (organization_id, id) ON DELETE CASCADE
    )`);
    await q.query(
      `CREATE INDEX relationship_stage_changes_relationship_idx ON relationship_stage_changes (organization_id, relationship_id, changed_at, id)`,
    );
    await q.query(`CREATE INDEX relationship_stage_changes_time_idx ON relationship_stage_changes (organization_id, changed_at)`);
    await isolateTenantTable(q, 'relationship_stage_changes');

    await q.query(`CREATE TABLE conversations (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      relationship_id uuid NOT NULL,
      occurred_at timestamptz NOT NULL,
      channel text,
      summary text,
      sentiment double precision CHECK (sentiment >= -1 AND sentiment <= 1),
      qualified boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (organization_id, id),
      FOREIGN KEY (organization_id, relationship_id) REFERENCES relationships (organization_id, id) ON DELETE CASCADE
    )`);
    await q.query(
      `CREATE INDEX conversations_relationship_page_idx ON conversations (organization_id, relationship_id, created_at, id)`,
    );
    await q.query(`CREATE INDEX conversations_time_idx ON conversations (organization_id, occurred_at)`);
    await isolateTenantTable(q, 'conversations');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE conversations, relationship_stage_changes, relationships, communities`);
  }
}
