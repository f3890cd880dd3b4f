import type { Principal } from '../../platform/auth/principal.js';
import type { AppServices } from '../../platform/context.js';
import { AppError, check } from '../../platform/errors.js';
import { Coalescer, type CoalescedSource } from '../../platform/live/coalescer.js';
import { LiveBudget } from '../../platform/live/live-budget.js';
import { inOwnScope, type LiveCaller } from '../../platform/live/live-context.js';
import { perServer } from '../../platform/live/per-server.js';
import { DATA_CHANGED, type DataChangedEvent } from '../communities/community.events.js';
import { builtInKeysTouchedBy } from '../metrics/built-in-metrics.js';
import { Interval, MAX_BUCKETS } from '../metrics/interval.js';
import { METRIC_RECORDED, type MetricRecordedEvent } from '../metrics/metric.events.js';
import { ROI_MODEL_CHANGED, type RoiModelChangedEvent } from './roi.events.js';
import { RoiService } from './roi.service.js';
import type { RoiReport } from './roi.types.js';

/** Arguments of roiUpdated. */
export interface RoiUpdateArgs {
  modelId?: string | null;
  from: Date;
  /** Omitted: up to the time of each recomputation. */
  to?: Date | null;
  interval?: Interval | null;
  communityId?: string | null;
}

/** One computation of a family: the report of each of its windows, by window key. */
export type FamilyReports = ReadonlyMap<string, RoiReport>;

/** A window of a family: its `to` (null: up to now) and how many subscriptions follow it. */
interface FamilyWindow {
  from: number;
  to: number | null;
  holders: number;
}

/**
 * The windows of one (tenant, model, from, interval, community) that live subscriptions follow on
 * this node: they differ only in `to`, so they are computed together (see RoiService.reportsUpTo).
 */
class RoiFamily {
  readonly windows = new Map<string, FamilyWindow>();
  /** Windows a write may have changed since their last computation. */
  readonly stale = new Set<string>();
  /** The last report of each window. */
  reports = new Map<string, RoiReport>();
  /** The model's metric variables, known from the first report on. */
  uses: Set<string> | null = null;

  /** Marks the windows that `touches` says a change reaches; true when there is one. */
  mark(touches: (w: FamilyWindow) => boolean): boolean {
    let any = false;
    for (const [key, w] of this.windows) {
      if (touches(w)) {
        this.stale.add(key);
        any = true;
      }
    }
    return any;
  }
}

/** roiUpdated's node-wide state: families of windows, their coalescer, and the budget of distinct windows. */
export class RoiLiveFeeds {
  /** One recomputation per family at most every 250 ms. */
  readonly coalescer = new Coalescer<FamilyReports>({ intervalMs: 250 });
  readonly families = new Map<string, RoiFamily>();
  readonly budget: LiveBudget;

  constructor(app: AppServices) {
    const limits = app.config.liveRoi;
    this.budget = new LiveBudget(
      { keysPerTenant: limits.windowsPerTenant, weightPerTenant: limits.bucketsPerTenant, keysPerNode: limits.windowsPerNode, weightPerNode: limits.bucketsPerNode },
      { code: 'LIVE_ROI_WINDOWS', keys: 'live ROI windows', weight: 'buckets' },
    );
  }

  /** Family computations started so far (each computes every stale window of its family at once). */
  get computations(): number {
    return this.coalescer.computations;
  }

  /** Series buckets (1 for a report without an interval) of the reports computed so far: the work recomputations did. */
  bucketsComputed = 0;

  /** Families with subscribers or joiners. */
  size(): number {
    return this.coalescer.size();
  }

  /** Adds a follower of `windowKey` to its family, made if need be. */
  enter(familyKey: string, windowKey: string, window: Omit<FamilyWindow, 'holders'>): void {
    let family = this.families.get(familyKey);
    if (!family) this.families.set(familyKey, (family = new RoiFamily()));
    const w = family.windows.get(windowKey);
    if (w) w.holders++;
    else family.windows.set(windowKey, { ...window, holders: 1 });
  }

  /** Removes a follower of `windowKey`; the window goes with its last follower, the family with its last window. */
  exit(familyKey: string, windowKey: string): void {
    const family = this.families.get(familyKey);
    const w = family?.windows.get(windowKey);
    if (!family || !w || --w.holders > 0) return;
    family.windows.delete(windowKey);
    family.stale.delete(windowKey);
    family.reports.delete(windowKey);
    if (!family.windows.size) this.families.delete(familyKey);
  }
}

/** roiUpdated's state on each server. */
export const roiFeeds = perServer((app) => new RoiLiveFeeds(app));

/** The family of a window: tenant, model, `from`, interval and community (everything but `to`). */
export function roiFamilyKey(tenantId: string, a: RoiUpdateArgs): string {
  return [tenantId, a.modelId?.toLowerCase() ?? 'default', a.from.toISOString(), a.interval ?? '', a.communityId?.toLowerCase() ?? ''].join('|');
}

/** The window within its family: its `to`, or `now`. */
function windowKeyOf(a: RoiUpdateArgs): string {
  return a.to?.toISOString() ?? 'now';
}

const UNIT_MS: Readonly<Record<Exclude<Interval, Interval.MONTH>, number>> = {
  [Interval.HOUR]: 3_600_000,
  [Interval.DAY]: 86_400_000,
  [Interval.WEEK]: 7 * 86_400_000,
};

/**
 * What a window weighs in the budget: its buckets (at most one more than the exact count in any
 * time zone), or 1 without an interval; a window without `to` as of now. Beyond MAX_BUCKETS the
 * report itself refuses it, so it weighs no more than that.
 */
export function liveWindowWeight(a: RoiUpdateArgs, now = Date.now()): number {
  if (!a.interval) return 1;
  const from = a.from.getTime();
  const to = Math.max(a.to?.getTime() ?? now, from);
  let buckets: number;
  if (a.interval === Interval.MONTH) {
    const f = new Date(from);
    const t = new Date(to);
    buckets = (t.getUTCFullYear() - f.getUTCFullYear()) * 12 + (t.getUTCMonth() - f.getUTCMonth()) + 2;
  } else {
    buckets = Math.ceil((to - from) / UNIT_MS[a.interval]) + 1;
  }
  return Math.min(buckets, MAX_BUCKETS);
}

/**
 * How one family is computed and what makes its windows stale: a point of a metric the model uses
 * inside a window, a change of relationship data feeding a built-in it uses, or a new version of
 * the model. The family is looked up at each use, so a family made again under the same key (its
 * last window gone, then a new one) is the one computed.
 */
function roiSource(app: AppServices, principal: Principal, familyKey: string, args: RoiUpdateArgs): CoalescedSource<FamilyReports> {
  const feeds = roiFeeds(app);
  const base = { from: args.from, interval: args.interval, communityId: args.communityId };
  return {
    compute: async () => {
      const family = feeds.families.get(familyKey);
      if (!family) return new Map();
      const due = [...family.windows].filter(([key]) => family.stale.has(key) || !family.reports.has(key));
      for (const [key] of due) family.stale.delete(key);
      if (!due.length) return family.reports;
      const now = Date.now();
      let reports: RoiReport[];
      try {
        reports = await inOwnScope(app, principal, (scope) =>
          new RoiService(scope).reportsUpTo(args.modelId, base, due.map(([, w]) => new Date(w.to ?? now))),
        );
      } catch (e) {
        for (const [key] of due) if (family.windows.has(key)) family.stale.add(key);
        throw e;
      }
      for (const r of reports) feeds.bucketsComputed += Math.max(1, r.series.length);
      const next = new Map(family.reports);
      due.forEach(([key], i) => family.windows.has(key) && next.set(key, reports[i]));
      family.reports = next;
      family.uses = new Set(reports[0].variables.filter((v) => !v.parameter).map((v) => v.name));
      return next;
    },
    activate: (trigger) => {
      const tenant = principal.organizationId;
      const mark = (touches: (w: FamilyWindow) => boolean) => {
        if (feeds.families.get(familyKey)?.mark(touches)) trigger();
      };
      const uses = (key: string) => {
        const known = feeds.families.get(familyKey)?.uses;
        return !known || known.has(key);
      };
      const stops = [
        app.pubsub.subscribe(tenant, METRIC_RECORDED, (payload) => {
          const times = (payload as MetricRecordedEvent).points.filter((p) => uses(p.metricKey)).map((p) => Date.parse(p.at));
          if (times.length) mark((w) => times.some((at) => at >= w.from && (w.to === null || at < w.to)));
        }),
        app.pubsub.subscribe(tenant, ROI_MODEL_CHANGED, (payload) => {
          const { modelId } = payload as RoiModelChangedEvent;
          if (!args.modelId || modelId.toLowerCase() === args.modelId.toLowerCase()) mark(() => true);
        }),
        app.pubsub.subscribe(tenant, DATA_CHANGED, (payload) => {
          const event = payload as DataChangedEvent;
          const keys = builtInKeysTouchedBy(event);
          if (!keys.some(uses)) return;
          const span = { from: Date.parse(event.at), to: Date.parse(event.until ?? event.at) };
          mark((w) => span.to >= w.from && (w.to === null || span.from < w.to));
        }),
      ];
      return () => stops.forEach((stop) => stop());
    },
  };
}

/**
 * roiUpdated: the report of a model over a window, at once and then after each write that can
 * change it. Windows that differ only in `to` form a family, recomputed together at most every
 * 250 ms; each window's report is shared by all its subscribers on the node. The distinct windows
 * of an organization (and of the node) are capped in number and in buckets (LiveBudget), so one
 * write costs a bounded amount of recomputation whatever one principal subscribes to.
 */
export class RoiUpdatesService {
  constructor(private readonly caller: LiveCaller) {}

  async subscribe(args: RoiUpdateArgs): Promise<AsyncIterable<RoiReport>> {
    const { app, principal, live } = this.caller;
    check(!args.to || args.to.getTime() > args.from.getTime(), 'to', 'to must be after from');
    const feeds = roiFeeds(app);
    const tenant = principal.organizationId;
    const familyKey = roiFamilyKey(tenant, args);
    const windowKey = windowKeyOf(args);
    const release = feeds.budget.hold(tenant, `${familyKey}|${windowKey}`, liveWindowWeight(args));
    feeds.enter(familyKey, windowKey, { from: args.from.getTime(), to: args.to?.getTime() ?? null });
    let last: RoiReport | undefined;
    let leave = () => {};
    const queue = live.queue<RoiReport>(() => leave());
    const membership = feeds.coalescer.join(
      familyKey,
      roiSource(app, principal, familyKey, args),
      (result) => {
        if ('value' in result) {
          // A family's computation leaves the reports of windows it did not reach as they were.
          const report = result.value.get(windowKey);
          if (report && report !== last) live.deliver(queue, (last = report));
          return;
        }
        // A model that no longer computes (say, a metric it uses is gone) ends the subscription with the reason.
        if (result.error instanceof AppError) return queue.fail(result.error);
        app.logger.warn('ROI recomputation failed', { error: result.error });
      },
      (reports) => reports.has(windowKey),
    );
    let gone = false;
    leave = () => {
      if (gone) return;
      gone = true;
      feeds.exit(familyKey, windowKey);
      membership.leave();
      release();
    };
    try {
      const report = (await membership.current).get(windowKey);
      if (report) queue.push((last = report));
    } catch (e) {
      leave();
      queue.end();
      throw e;
    }
    return queue;
  }
}
