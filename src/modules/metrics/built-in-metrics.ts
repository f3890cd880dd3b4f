import type { DataChangedEvent } from '../communities/community.events.js';
import { FUNNEL, stageRank } from '../relationships/relationship-history.js';
import { RelationshipStage } from '../relationships/relationship-stage.js';
import { MetricAggregation } from './metric-aggregation.js';
import type { MetricDefinition } from './metric.types.js';

/** The tables built-in metrics are derived from; the engine issues one grouped statement per source. */
export type BuiltInSource = 'relationships' | 'conversations' | 'stage_changes';

/** A metric derived from the tenant's relationship data (CONTRACT.md, "ROI"). */
export interface BuiltInMetric {
  key: string;
  name: string;
  aggregation: MetricAggregation;
  description: string;
  source: BuiltInSource;
  /** Aggregate SQL over the source's rows (alias `x`): the bucket's value, as float8. */
  value: string;
  /** Aggregate SQL: how many rows the value is made of, as int. */
  count: string;
}

function counted(filter: string | null): { value: string; count: string } {
  const agg = filter ? `count(*) FILTER (WHERE ${filter})` : 'count(*)';
  return { value: `${agg}::float8`, count: `${agg}::int` };
}

/**
 * A relationship reaches a stage the first time a stage change takes it to that stage or a later
 * one: each relationship reaches a stage at most once, however often it moves down and up again,
 * and one that began at a stage (its first change, from null) reaches it, and the earlier ones,
 * at its connectedAt. Only the changes count, never from_stage: a merged relationship holds the
 * changes of all its parts, so each stage counts once, at the earliest time any part reached it,
 * and changes at the same instant count once whatever their order. The rows of `firstReaches`
 * are those first reaches, one per relationship and stage (`x.rank`).
 */
function reached(stage: RelationshipStage): { value: string; count: string } {
  return counted(`x.rank = ${stageRank(stage)}`);
}

/** The stages whose first reach a built-in metric counts (leads, opportunities, customers). */
const REACHED_STAGES: readonly RelationshipStage[] = [RelationshipStage.LEAD, RelationshipStage.OPPORTUNITY, RelationshipStage.CUSTOMER];

/** Every built-in metric, in the order `metrics` lists them. */
export const BUILT_IN_METRICS: readonly BuiltInMetric[] = [
  {
    key: 'relationships',
    name: 'Relationships',
    aggregation: MetricAggregation.COUNT,
    description: 'Relationships connected in the window (connectedAt; by default their creation).',
    source: 'relationships',
    ...counted(null),
  },
  {
    key: 'qualified_relationships',
    name: 'Qualified relationships',
    aggregation: MetricAggregation.COUNT,
    description: 'Qualified relationships connected in the window (connectedAt; by default their creation).',
    source: 'relationships',
    ...counted('x.qualified'),
  },
  {
    key: 'conversations',
    name: 'Conversations',
    aggregation: MetricAggregation.COUNT,
    description: 'Conversations that occurred in the window.',
    source: 'conversations',
    ...counted(null),
  },
  {
    key: 'qualified_conversations',
    name: 'Qualified conversations',
    aggregation: MetricAggregation.COUNT,
    description: 'Qualified conversations that occurred in the window.',
    source: 'conversations',
    ...counted('x.qualified'),
  },
  {
    key: 'leads',
    name: 'Leads',
    aggregation: MetricAggregation.COUNT,
    description: 'Relationships that reached LEAD (or a later stage) for the first time in the window.',
    source: 'stage_changes',
    ...reached(RelationshipStage.LEAD),
  },
  {
    key: 'opportunities',
    name: 'Opportunities',
    aggregation: MetricAggregation.COUNT,
    description: 'Relationships that reached OPPORTUNITY (or CUSTOMER) for the first time in the window.',
    source: 'stage_changes',
    ...reached(RelationshipStage.OPPORTUNITY),
  },
  {
    key: 'customers',
    name: 'Customers',
    aggregation: MetricAggregation.COUNT,
    description: 'Relationships that reached CUSTOMER for the first time in the window.',
    source: 'stage_changes',
    ...reached(RelationshipStage.CUSTOMER),
  },
  {
    key: 'avg_sentiment',
    name: 'Average sentiment',
    aggregation: MetricAggregation.AVG,
    description: 'Mean sentiment (-1..1) of the conversations that occurred in the window and have one.',
    source: 'conversations',
    value: 'avg(x.sentiment)',
    count: 'count(x.sentiment)::int',
  },
];

/** Built-in metrics by key. */
export const BUILT_IN_BY_KEY: ReadonlyMap<string, BuiltInMetric> = new Map(BUILT_IN_METRICS.map((m) => [m.key, m]));

/** The built-in source each kind of data change writes to (a community change feeds none). */
const SOURCE_OF_KIND: Partial<Record<DataChangedEvent['kind'], BuiltInSource>> = {
  relationship: 'relationships',
  conversation: 'conversations',
  'stage-change': 'stage_changes',
};

const KEYS_OF_SOURCE = new Map<BuiltInSource, readonly string[]>();
for (const m of BUILT_IN_METRICS) KEYS_OF_SOURCE.set(m.source, [...(KEYS_OF_SOURCE.get(m.source) ?? []), m.key]);

/** The built-in metric keys a change of relationship data may move, at the change's time (a merge: from `at` to `until`). */
export function builtInKeysTouchedBy(event: DataChangedEvent): readonly string[] {
  if (event.kind === 'merge') return event.keys ?? [];
  const source = SOURCE_OF_KIND[event.kind];
  return source ? KEYS_OF_SOURCE.get(source)! : [];
}

/** True when `key` names a built-in metric. */
export function isBuiltInKey(key: string): boolean {
  return BUILT_IN_BY_KEY.has(key);
}

/** A built-in metric as the GraphQL type shows it. */
export function builtInDefinition(metric: BuiltInMetric): MetricDefinition {
  return {
    id: `builtin:${metric.key}`,
    key: metric.key,
    name: metric.name,
    unit: null,
    aggregation: metric.aggregation,
    description: metric.description,
    builtIn: true,
    createdAt: null,
  };
}

/** How one source's rows are reached: FROM clause (alias `x`), time column, community column. */
export interface SourceTable {
  /**
   * FROM items, with `r` (relationships) joined only when `withCommunity`; `bounds` adds the
   * parameters of the windows' earliest start and latest end, for sources that look outside them.
   */
  from(tenant: string, withCommunity: boolean, bounds: () => { minFrom: string; maxTo: string }): string;
  time: string;
  community: string;
}

const joinRelationship = `JOIN relationships r ON r.organization_id = x.organization_id AND r.id = x.relationship_id`;

/** SQL: the change `alias` takes its relationship to `stage` or a later one. */
function atOrAfter(alias: string, stage: RelationshipStage): string {
  return `${alias}.to_stage IN (${FUNNEL.slice(stageRank(stage) - 1)
    .map((s) => `'${s}'`)
    .join(', ')})`;
}

/**
 * The first time each relationship reached each of REACHED_STAGES (`changed_at`, null when never,
 * with the stage's `rank`): the earliest of its changes to that stage or a later one, over its whole
 * history up to the windows' end, since "first time" looks back before the windows. Only
 * relationships with such a change in the windows are looked at (a first reach in them is one).
 * One hash aggregate over the changes, where ranking each change against the ones before it
 * needed a sort and a window function.
 */
function firstReaches(tenant: string, bounds: { minFrom: string; maxTo: string }): string {
  const lowest = REACHED_STAGES[0];
  const firsts = REACHED_STAGES.map((stage) => `min(s.changed_at) FILTER (WHERE ${atOrAfter('s', stage)}) AS r${stageRank(stage)}`);
  const rows = REACHED_STAGES.map((stage) => `(${stageRank(stage)}, f.r${stageRank(stage)})`);
  return `(SELECT f.organization_id, f.relationship_id, t.rank, t.changed_at FROM (
      SELECT s.organization_id, s.relationship_id, ${firsts.join(', ')}
      FROM relationship_stage_changes s
      WHERE s.organization_id = ${tenant} AND s.changed_at < ${bounds.maxTo} AND ${atOrAfter('s', lowest)}
        AND s.relationship_id IN (
          SELECT c.relationship_id FROM relationship_stage_changes c
          WHERE c.organization_id = ${tenant} AND c.changed_at >= ${bounds.minFrom} AND c.changed_at < ${bounds.maxTo} AND ${atOrAfter('c', lowest)}
        )
      GROUP BY s.organization_id, s.relationship_id
    ) f CROSS JOIN LATERAL (VALUES ${rows.join(', ')}) AS t(rank, changed_at)) x`;
}

/** The FROM clause, time and community columns of each built-in source. */
export const SOURCE_TABLES: Readonly<Record<BuiltInSource, SourceTable>> = {
  relationships: {
    from: () => `relationships x`,
    time: 'x.connected_at',
    community: 'x.community_id',
  },
  conversations: {
    from: (_tenant, withCommunity) => `conversations x${withCommunity ? ` ${joinRelationship}` : ''}`,
    time: 'x.occurred_at',
    community: 'r.community_id',
  },
  stage_changes: {
    from: (tenant, withCommunity, bounds) => `${firstReaches(tenant, bounds())}${withCommunity ? ` ${joinRelationship}` : ''}`,
    time: 'x.changed_at',
    community: 'r.community_id',
  },
};
