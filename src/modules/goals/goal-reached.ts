import { preparedStatement } from '../../db/prepared-statement.js';
import type { TenantDb } from '../../db/tenant.js';
import { GRAPH_WRITTEN, type GraphWrittenEvent } from '../communities/community.events.js';
import { BUILT_IN_BY_KEY } from '../metrics/built-in-metrics.js';
import { zeroWhenEmpty } from '../metrics/metric-aggregation.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { aggregateMetricWindows } from '../metrics/metric-engine.js';
import { METRICS_WRITTEN, type MetricRecordedEvent } from '../metrics/metric.events.js';
import { emitWebhookEvent, WebhookEvent } from '../webhooks/webhook.events.js';
import { measuredUntil } from './goal-progress.js';

interface OpenGoal {
  id: string;
  name: string;
  metricKey: string;
  target: number;
  startsAt: Date;
  endsAt: Date;
}

/** The open goals on some metric keys whose window meets [$2, $3]: every write of points runs it (prepared). */
const OPEN_GOALS_OF = preparedStatement(
  'goals.open_goals_of',
  `SELECT id, name, metric_key AS "metricKey", target, starts_at AS "startsAt", ends_at AS "endsAt" FROM goals
    WHERE metric_key = ANY($1::text[]) AND reached_at IS NULL AND starts_at <= $3 AND ends_at > $2`,
);

/**
 * In the transaction that wrote `event`'s points: the goals those points count towards
 * whose value now reaches their target are marked reached and told to webhooks (goal.reached),
 * once per goal. A concurrent write waits on the mark, so two writes never both announce a goal.
 */
export async function announceReachedGoals(db: TenantDb, event: MetricRecordedEvent): Promise<void> {
  if (!event.points.length) return;
  const keys = [...new Set(event.points.map((p) => p.metricKey))];
  const times = event.points.map((p) => Date.parse(p.at));
  await announceGoalsOf(db, keys, new Date(Math.min(...times)), new Date(Math.max(...times)));
}

/**
 * The same for a write to the relationship graph: goals on the built-in metrics it may have moved
 * (relationships, stages reached, conversations; merges and imports included).
 */
export async function announceReachedBuiltInGoals(db: TenantDb, event: GraphWrittenEvent): Promise<void> {
  const keys = (event.keys ?? [...BUILT_IN_BY_KEY.keys()]).filter((k) => BUILT_IN_BY_KEY.has(k));
  if (keys.length) await announceGoalsOf(db, keys, new Date(event.from), new Date(event.to));
}

/** Marks and announces the open goals on `keys` whose window meets [from, to] and whose value reached the target. */
async function announceGoalsOf(db: TenantDb, keys: string[], from: Date, to: Date): Promise<void> {
  const goals = await db.query<OpenGoal>(OPEN_GOALS_OF, [keys, from, to]);
  if (!goals.length) return;
  const now = new Date();
  const metrics = await resolveMetrics(db, keys);
  const windows = goals
    .map((g) => ({ id: g.id, from: g.startsAt, to: measuredUntil(g, now), keys: [g.metricKey] }))
    .filter((w) => metrics.has(w.keys[0]) && w.to > w.from);
  const values = new Map((await aggregateMetricWindows(db, { metrics, windows, interval: null, timezone: 'UTC', communityId: null, byCommunity: false })).map((r) => [r.windowId, r.value]));
  const reached = goals.flatMap((g) => {
    const metric = metrics.get(g.metricKey);
    const current = values.get(g.id) ?? (metric && zeroWhenEmpty(metric.aggregation) ? 0 : null);
    return current !== null && current >= g.target ? [{ goal: g, current }] : [];
  });
  if (!reached.length) return;
  const marked = new Set(
    (await db.query<{ id: string }>(`WITH u AS (UPDATE goals SET reached_at = clock_timestamp() WHERE id = ANY($1::uuid[]) AND reached_at IS NULL RETURNING id) SELECT id FROM u`, [
      reached.map((r) => r.goal.id),
    ])).map((r) => r.id),
  );
  for (const { goal, current } of reached) {
    if (!marked.has(goal.id)) continue;
    await emitWebhookEvent(db, WebhookEvent.GOAL_REACHED, {
      goalId: goal.id,
      name: goal.name,
      metricKey: goal.metricKey,
      target: goal.target,
      current,
      startsAt: goal.startsAt.toISOString(),
      endsAt: goal.endsAt.toISOString(),
    });
  }
}

/** Lets metric writes announce the goals they reach (called once at start, src/hooks.ts). */
export function registerGoalReachedHook(): void {
  METRICS_WRITTEN.on(announceReachedGoals);
  GRAPH_WRITTEN.on(announceReachedBuiltInGoals);
}
