import type { TenantDb } from '../../db/tenant.js';
import type { PubSub } from '../../platform/pubsub/pubsub.js';
import { DATA_CHANGED, GRAPH_WRITTEN } from '../communities/community.events.js';
import { emitWebhookEvents, webhookTakes, WebhookEvent } from '../webhooks/webhook.events.js';
import { CLOCK_SKEW_MS, FUNNEL } from '../relationships/relationship-history.js';
import {
  asTime,
  booleanProblem,
  ERRORS_OF_PROBLEMS,
  GraphChanges,
  isDateTime,
  isUuidSql,
  shapeProblems,
  stagedRows,
  textProblem,
  type ChunkResult,
  type GraphChange,
  type ImportKindHandler,
  type Publish,
} from './import-kind.js';
import type { RowFields } from './import-parsers.js';
import type { ImportError } from './import.types.js';

export const RELATIONSHIP_FIELDS: RowFields = {
  allowed: ['externalId', 'name', 'communityId', 'handle', 'company', 'stage', 'qualified', 'connectedAt'],
  required: ['externalId', 'name', 'communityId'],
};

const STAGES = `ARRAY[${FUNNEL.map((s) => `'${s}'`).join(', ')}]`;

/**
 * One statement per chunk, under the tenant's RLS: parse and check each row the way
 * createRelationship does (relationship-history.ts), then upsert by externalId:
 * - a new externalId makes a relationship that began at connectedAt (default now) in `stage`
 *   (default CONNECTED), that one stage change at connectedAt;
 * - a known one gets the fields the row gives; a new stage is a stage change now, and only later in
 *   the funnel (as a stage history goes); a new connectedAt moves its start, never after its first
 *   later stage change. A row that changes nothing writes nothing (counted a duplicate).
 * $1 job, $2..$3 lines, $4 latest allowed time, $5 write.
 */
function chunkSql(careful: boolean): string {
  const connected = asTime("s.d->>'connectedAt'", careful);
  return `WITH src AS MATERIALIZED (${stagedRows(careful)}),
  checked AS MATERIALIZED (
    SELECT s.line, s.d->>'externalId' AS external_id, btrim(s.d->>'name') AS name, c.id AS community_id,
      s.d->>'handle' AS handle, s.d->>'company' AS company, upper(s.d->>'stage') AS stage,
      lower(s.d->>'qualified')::text AS qualified, s.d->>'connectedAt' AS connected_text,
      r.id AS existing_id, r.stage AS old_stage, r.community_id AS old_community,
      CASE ${shapeProblems(RELATIONSHIP_FIELDS)}
        ${textProblem('externalId', 200, true)}
        ${textProblem('name', 200, true)}
        WHEN s.d->>'communityId' IS NULL THEN 'communityId: required'
        WHEN c.id IS NULL THEN 'communityId: ''' || (s.d->>'communityId') || ''' is not a community of this organization'
        WHEN c.archived_at IS NOT NULL AND r.id IS NULL THEN 'communityId: names an archived community, which takes no new relationships'
        ${textProblem('handle', 200)}
        ${textProblem('company', 200)}
        WHEN s.d->>'stage' IS NOT NULL AND NOT upper(s.d->>'stage') = ANY (${STAGES}) THEN 'stage: must be one of ${FUNNEL.join(', ')}'
        ${booleanProblem('qualified')}
        WHEN s.d->>'connectedAt' IS NOT NULL AND NOT ${isDateTime("s.d->>'connectedAt'")} THEN 'connectedAt: must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z'
        ${careful ? `WHEN s.d->>'connectedAt' IS NOT NULL AND ${connected} IS NULL THEN 'connectedAt: ''' || (s.d->>'connectedAt') || ''' is not a date that exists'` : ''}
        WHEN ${connected} > $4 THEN 'connectedAt: must not be in the future'
        WHEN r.id IS NOT NULL AND s.d->>'stage' IS NOT NULL AND upper(s.d->>'stage') <> r.stage
          AND array_position(${STAGES}, upper(s.d->>'stage')) < array_position(${STAGES}, r.stage)
          THEN 'stage: ' || upper(s.d->>'stage') || ' is earlier in the funnel than the relationship''s stage ' || r.stage
        WHEN r.id IS NOT NULL AND ${connected} > (SELECT min(x.changed_at) FROM relationship_stage_changes x WHERE x.relationship_id = r.id AND x.from_stage IS NOT NULL)
          THEN 'connectedAt: must not be after the relationship''s first stage change'
      END AS problem
    FROM src s
    LEFT JOIN communities c ON c.id = CASE WHEN ${isUuidSql("s.d->>'communityId'")} THEN (s.d->>'communityId')::uuid END
    LEFT JOIN relationships r ON r.external_id = s.d->>'externalId'
  ),
  ok AS (SELECT * FROM checked WHERE $5 AND NOT EXISTS (SELECT 1 FROM checked WHERE problem IS NOT NULL)),
  t AS (SELECT clock_timestamp() AS now),
  created AS (
    INSERT INTO relationships AS r (organization_id, community_id, name, handle, company, qualified, stage, external_id, connected_at, created_at, updated_at)
    SELECT app_tenant(), o.community_id, o.name, o.handle, o.company, coalesce(o.qualified::boolean, false), coalesce(o.stage, 'CONNECTED'),
      o.external_id, coalesce(o.connected_text::timestamptz, t.now), t.now, t.now
    FROM ok o, t WHERE o.existing_id IS NULL
    RETURNING r.id, r.community_id, r.stage, r.connected_at
  ),
  created_changes AS (
    INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
    SELECT app_tenant(), id, NULL, stage, connected_at FROM created
  ),
  updated AS (
    UPDATE relationships r SET name = o.name, community_id = o.community_id, handle = coalesce(o.handle, r.handle),
      company = coalesce(o.company, r.company), qualified = coalesce(o.qualified::boolean, r.qualified), stage = coalesce(o.stage, r.stage),
      connected_at = coalesce(o.connected_text::timestamptz, r.connected_at), updated_at = t.now
    FROM ok o, t
    WHERE r.id = o.existing_id
      AND (r.name, r.community_id, r.handle, r.company, r.qualified, r.stage, r.connected_at) IS DISTINCT FROM
          (o.name, o.community_id, coalesce(o.handle, r.handle), coalesce(o.company, r.company), coalesce(o.qualified::boolean, r.qualified),
           coalesce(o.stage, r.stage), coalesce(o.connected_text::timestamptz, r.connected_at))
    RETURNING r.id, r.community_id, o.old_stage, r.stage, r.connected_at, t.now
  ),
  moved_start AS (
    UPDATE relationship_stage_changes x SET changed_at = u.connected_at
    FROM updated u WHERE x.relationship_id = u.id AND x.from_stage IS NULL AND x.changed_at <> u.connected_at
  ),
  stage_changes AS (
    INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
    SELECT app_tenant(), id, old_stage, stage, now FROM updated WHERE stage <> old_stage
    RETURNING relationship_id, changed_at
  )
  SELECT (SELECT count(*) FROM checked)::int AS processed,
    (SELECT count(*) FROM checked WHERE problem IS NULL)::int AS valid,
    ((SELECT count(*) FROM created) + (SELECT count(*) FROM updated))::int AS accepted,
    ${ERRORS_OF_PROBLEMS} AS errors,
    (SELECT coalesce(json_agg(g), '[]'::json) FROM (
      SELECT 'relationship' AS kind, id, community_id AS "communityId", connected_at AS at FROM created
      UNION ALL SELECT 'relationship', id, community_id, now FROM updated
      UNION ALL SELECT 'stage-change', u.id, u.community_id, u.now FROM updated u WHERE u.stage <> u.old_stage) g) AS changes`;
}

/** Relationships, upserted by externalId (relationship-history.ts's rules). */
export class RelationshipsImport implements ImportKindHandler {
  readonly fields = RELATIONSHIP_FIELDS;
  private readonly changes = new GraphChanges();
  /** Stage changes of known relationships (relationship, time): each is a relationship.stage_changed. */
  private readonly stageChanges: Array<{ id: string; at: string }> = [];

  constructor(private readonly pubsub: PubSub) {}

  /** An externalId twice in one file is ambiguous: every line after the first is an error. */
  async checkFile(m: TenantDb, jobId: string): Promise<ImportError[]> {
    return m.query<ImportError>(
      `SELECT line, 'externalId: ''' || external_id || ''' is also on line ' || first || ' of this file' AS message FROM (
         SELECT line, external_id, min(line) OVER (PARTITION BY external_id) AS first FROM (
           SELECT r.line, try_jsonb(r.raw)->>'externalId' AS external_id
           FROM import_rows r WHERE r.organization_id = app_tenant() AND r.job_id = $1) a
         WHERE external_id IS NOT NULL) x
       WHERE line > first ORDER BY line LIMIT 100`,
      [jobId],
    );
  }

  async chunk(m: TenantDb, jobId: string, from: number, to: number, write: boolean, careful: boolean): Promise<ChunkResult> {
    const latest = new Date(Date.now() + CLOCK_SKEW_MS);
    const [row] = await m.query<{ processed: number; valid: number; accepted: number; errors: ImportError[]; changes: GraphChange[] }>(chunkSql(careful), [
      jobId,
      from,
      to,
      latest,
      write && !careful,
    ]);
    this.changes.add(row.changes);
    for (const c of row.changes) if (c.kind === 'stage-change') this.stageChanges.push({ id: c.id, at: c.at });
    const wrote = write && !careful && row.errors.length === 0;
    return { processed: row.processed, accepted: row.accepted, duplicates: wrote ? row.valid - row.accepted : 0, errors: row.errors };
  }

  /** One relationship.stage_changed per stage change the import made, as updateRelationship sends them. */
  private async announceStageChanges(m: TenantDb): Promise<void> {
    if (!this.stageChanges.length || !(await webhookTakes(m, WebhookEvent.RELATIONSHIP_STAGE_CHANGED))) return;
    const changes = await m.query<{ relationshipId: string; communityId: string; from: string; to: string; changedAt: Date }>(
      `SELECT s.relationship_id AS "relationshipId", r.community_id AS "communityId", s.from_stage AS "from", s.to_stage AS "to", s.changed_at AS "changedAt"
         FROM unnest($1::uuid[], $2::timestamptz[]) WITH ORDINALITY AS c(id, at, n)
         JOIN relationship_stage_changes s ON s.relationship_id = c.id AND s.changed_at = c.at AND s.from_stage IS NOT NULL
         JOIN relationships r ON r.id = s.relationship_id
        ORDER BY c.n`,
      [this.stageChanges.map((c) => c.id), this.stageChanges.map((c) => c.at)],
    );
    await emitWebhookEvents(m, WebhookEvent.RELATIONSHIP_STAGE_CHANGED, changes.map((c) => ({ ...c, changedAt: c.changedAt.toISOString() })));
  }

  async events(m: TenantDb): Promise<Publish> {
    const events = this.changes.events();
    // Goals on built-in metrics (goal.reached), once for the import: any time may have moved (a qualified flag counts at connectedAt).
    if (events.length) await GRAPH_WRITTEN.run(m, { from: new Date(0).toISOString(), to: new Date().toISOString() });
    await this.announceStageChanges(m);
    return () => events.forEach((e) => void this.pubsub.publish(m.tenantId, DATA_CHANGED, e));
  }
}
