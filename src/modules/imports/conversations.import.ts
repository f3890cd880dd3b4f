import type { TenantDb } from '../../db/tenant.js';
import type { PubSub } from '../../platform/pubsub/pubsub.js';
import { DATA_CHANGED, GRAPH_WRITTEN } from '../communities/community.events.js';
import { CLOCK_SKEW_MS } from '../relationships/relationship-history.js';
import {
  asTime,
  booleanProblem,
  ERRORS_OF_PROBLEMS,
  GraphChanges,
  isDateTime,
  isNumber,
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

export const CONVERSATION_FIELDS: RowFields = {
  allowed: ['relationshipExternalId', 'occurredAt', 'channel', 'summary', 'sentiment', 'qualified', 'externalId'],
  required: ['relationshipExternalId', 'occurredAt'],
};

/**
 * One statement per chunk, under the tenant's RLS: each row checked as logConversation checks its
 * input, its relationship found by externalId, then inserted; a row whose externalId the
 * organization already has (from before, or earlier in the file) is skipped as a duplicate.
 * $1 job, $2..$3 lines, $4 latest allowed time, $5 write.
 */
function chunkSql(careful: boolean): string {
  const occurred = asTime("s.d->>'occurredAt'", careful);
  return `WITH src AS MATERIALIZED (${stagedRows(careful)}),
  checked AS MATERIALIZED (
    SELECT s.line, r.id AS relationship_id, r.community_id, s.d->>'occurredAt' AS occurred_text, s.d->>'channel' AS channel,
      s.d->>'summary' AS summary, s.d->>'sentiment' AS sentiment, lower(s.d->>'qualified') AS qualified, s.d->>'externalId' AS external_id,
      CASE ${shapeProblems(CONVERSATION_FIELDS)}
        ${textProblem('relationshipExternalId', 200, true)}
        WHEN r.id IS NULL THEN 'relationshipExternalId: no relationship of this organization has the externalId ''' || (s.d->>'relationshipExternalId') || ''''
        WHEN s.d->>'occurredAt' IS NULL THEN 'occurredAt: required'
        WHEN NOT ${isDateTime("s.d->>'occurredAt'")} THEN 'occurredAt: must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z'
        ${careful ? `WHEN ${occurred} IS NULL THEN 'occurredAt: ''' || (s.d->>'occurredAt') || ''' is not a date that exists'` : ''}
        WHEN ${occurred} > $4 THEN 'occurredAt: must not be in the future'
        ${textProblem('channel', 100)}
        ${textProblem('summary', 10000)}
        WHEN s.d->>'sentiment' IS NOT NULL AND (NOT ${isNumber("s.d->>'sentiment'")} OR abs((s.d->>'sentiment')::numeric) > 1) THEN 'sentiment: must be a number from -1 to 1'
        ${booleanProblem('qualified')}
        WHEN s.d->>'externalId' IS NOT NULL AND length(s.d->>'externalId') NOT BETWEEN 1 AND 200 THEN 'externalId: must be 1 to 200 characters'
      END AS problem
    FROM src s
    LEFT JOIN relationships r ON r.external_id = s.d->>'relationshipExternalId'
  ),
  ins AS (
    INSERT INTO conversations AS v (organization_id, relationship_id, occurred_at, channel, summary, sentiment, qualified, external_id)
    SELECT app_tenant(), relationship_id, occurred_text::timestamptz, channel, summary, sentiment::float8, coalesce(qualified::boolean, false), external_id
    FROM checked WHERE $5 AND NOT EXISTS (SELECT 1 FROM checked WHERE problem IS NOT NULL)
    ORDER BY line
    ON CONFLICT (organization_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
    RETURNING v.id, v.relationship_id, v.occurred_at
  )
  SELECT (SELECT count(*) FROM checked)::int AS processed,
    (SELECT count(*) FROM checked WHERE problem IS NULL)::int AS valid,
    (SELECT count(*) FROM ins)::int AS accepted,
    ${ERRORS_OF_PROBLEMS} AS errors,
    (SELECT coalesce(json_agg(g), '[]'::json) FROM (
      SELECT DISTINCT ON (c.community_id) 'conversation' AS kind, i.id, c.community_id AS "communityId", i.occurred_at AS at
      FROM ins i JOIN checked c ON c.relationship_id = i.relationship_id ORDER BY c.community_id, i.occurred_at DESC) g) AS latest,
    (SELECT coalesce(json_agg(g), '[]'::json) FROM (
      SELECT DISTINCT ON (c.community_id) 'conversation' AS kind, i.id, c.community_id AS "communityId", i.occurred_at AS at
      FROM ins i JOIN checked c ON c.relationship_id = i.relationship_id ORDER BY c.community_id, i.occurred_at) g) AS earliest`;
}

/** Conversations of relationships named by their externalId; idempotent by the conversation's externalId. */
export class ConversationsImport implements ImportKindHandler {
  readonly fields = CONVERSATION_FIELDS;
  private readonly changes = new GraphChanges();

  constructor(private readonly pubsub: PubSub) {}

  async checkFile(): Promise<ImportError[]> {
    return [];
  }

  async chunk(m: TenantDb, jobId: string, from: number, to: number, write: boolean, careful: boolean): Promise<ChunkResult> {
    const latest = new Date(Date.now() + CLOCK_SKEW_MS);
    const [row] = await m.query<{ processed: number; valid: number; accepted: number; errors: ImportError[]; latest: GraphChange[]; earliest: GraphChange[] }>(
      chunkSql(careful),
      [jobId, from, to, latest, write && !careful],
    );
    this.changes.add([...row.earliest, ...row.latest]);
    const wrote = write && !careful && row.errors.length === 0;
    return { processed: row.processed, accepted: row.accepted, duplicates: wrote ? row.valid - row.accepted : 0, errors: row.errors };
  }

  async events(m: TenantDb): Promise<Publish> {
    const events = this.changes.events();
    // Goals on built-in metrics (goal.reached), once for the import: any time may have moved (a qualified flag counts at connectedAt).
    if (events.length) await GRAPH_WRITTEN.run(m, { from: new Date(0).toISOString(), to: new Date().toISOString() });
    return () => events.forEach((e) => void this.pubsub.publish(m.tenantId, DATA_CHANGED, e));
  }
}
