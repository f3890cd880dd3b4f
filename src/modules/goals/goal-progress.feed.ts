import type { Principal } from '../../platform/auth/principal.js';
import type { AppServices } from '../../platform/context.js';
import { NotFoundError } from '../../platform/errors.js';
import { Coalescer, type CoalescedSource } from '../../platform/live/coalescer.js';
import { inOwnScope, type LiveCaller } from '../../platform/live/live-context.js';
import { perServer } from '../../platform/live/per-server.js';
import { DATA_CHANGED, type DataChangedEvent } from '../communities/community.events.js';
import { builtInKeysTouchedBy } from '../metrics/built-in-metrics.js';
import { METRIC_RECORDED, type MetricRecordedEvent } from '../metrics/metric.events.js';
import type { GoalProgressValue } from './goal-progress.js';
import { type Goal } from './goal.types.js';
import { GOAL_CHANGED, type GoalChangedEvent } from './goal.events.js';
import { goalProgressLoader } from './goal.loaders.js';
import { GoalService } from './goal.service.js';

/** One recomputation's outcome for a tenant: the progress of the goals touched, and the goals deleted. */
export interface GoalBatch {
  progress: GoalProgressValue[];
  deleted: string[];
}

/** goalProgressUpdated's node-wide state: the progress of the goals a tenant's writes touched, at most every 250 ms. */
export const goalFeeds = perServer(() => new Coalescer<GoalBatch>({ intervalMs: 250 }));

/** What changed since the last recomputation: goals by id, and metric keys with the time span written. */
class Touched {
  goals = new Set<string>();
  deleted = new Set<string>();
  spans = new Map<string, { min: number; max: number }>();

  metric(key: string, at: number): void {
    const span = this.spans.get(key);
    if (!span) this.spans.set(key, { min: at, max: at });
    else {
      span.min = Math.min(span.min, at);
      span.max = Math.max(span.max, at);
    }
  }

  take(): Touched {
    const taken = Object.assign(new Touched(), this);
    this.goals = new Set();
    this.deleted = new Set();
    this.spans = new Map();
    return taken;
  }
}

/**
 * The per-tenant source of goal progress: it listens to the tenant's writes, notes which goals
 * they may move (a goal changed, or a point of its metric inside its period), and recomputes
 * just those in one batch (two statements) per coalesced run.
 */
function goalSource(app: AppServices, principal: Principal): CoalescedSource<GoalBatch> {
  const touched = new Touched();
  return {
    compute: async () => {
      const t = touched.take();
      const deleted = [...t.deleted];
      if (!t.goals.size && !t.spans.size) return { progress: [], deleted };
      return inOwnScope(app, principal, async (scope) => {
        const goals = await new GoalService(scope).touched(t.goals, t.spans);
        const progress = await scope.loader(goalProgressLoader).loadMany(goals);
        return { progress: progress.filter((p): p is GoalProgressValue => !(p instanceof Error)), deleted };
      });
    },
    activate: (trigger) => {
      const tenant = principal.organizationId;
      const stops = [
        app.pubsub.subscribe(tenant, METRIC_RECORDED, (payload) => {
          for (const p of (payload as MetricRecordedEvent).points) touched.metric(p.metricKey, Date.parse(p.at));
          trigger();
        }),
        app.pubsub.subscribe(tenant, DATA_CHANGED, (payload) => {
          const event = payload as DataChangedEvent;
          const keys = builtInKeysTouchedBy(event);
          if (!keys.length) return;
          for (const key of keys) touched.metric(key, Date.parse(event.at));
          // A merge moves figures from `at` to `until`.
          if (event.until) for (const key of keys) touched.metric(key, Date.parse(event.until));
          trigger();
        }),
        app.pubsub.subscribe(tenant, GOAL_CHANGED, (payload) => {
          const event = payload as GoalChangedEvent;
          (event.deleted ? touched.deleted : touched.goals).add(event.goalId.toLowerCase());
          trigger();
        }),
      ];
      return () => stops.forEach((stop) => stop());
    },
  };
}

/**
 * goalProgressUpdated: the progress of one goal (its current progress at once, then after each
 * change to it or to its metric's data inside its period), or of every goal of the organization.
 * A deleted goal's subscription completes.
 */
export class GoalProgressService {
  constructor(private readonly caller: LiveCaller) {}

  async subscribe(goalId: string | null | undefined): Promise<AsyncIterable<GoalProgressValue>> {
    const { app, principal, live } = this.caller;
    const id = goalId?.toLowerCase() ?? null;
    const initial =
      id === null
        ? null
        : await inOwnScope(app, principal, async (scope) => {
            const goal = await new GoalService(scope).find(id);
            if (!goal) throw new NotFoundError('Goal', goalId!);
            return scope.loader(goalProgressLoader).load(goal);
          });
    let leave = () => {};
    const queue = live.queue<GoalProgressValue>(() => leave());
    const membership = goalFeeds(app).join(principal.organizationId, goalSource(app, principal), (result) => {
      if ('error' in result) return void app.logger.warn('goal progress recomputation failed', { error: result.error });
      for (const p of result.value.progress) if (id === null || p.goalId === id) live.deliver(queue, p);
      if (id !== null && result.value.deleted.includes(id)) queue.end();
    });
    leave = membership.leave;
    membership.current.catch(() => {}); // the first (empty) batch; failures reach members as errors
    if (initial) queue.push(initial);
    return queue;
  }
}
