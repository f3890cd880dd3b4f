import type { Principal } from '../../platform/auth/principal.js';
import type { AppServices } from '../../platform/context.js';
import { AppError, check } from '../../platform/errors.js';
import type { CoalescedSource } from '../../platform/live/coalescer.js';
import { inOwnScope, type LiveCaller } from '../../platform/live/live-context.js';
import { LIVE_TOPICS, type DataChangedEvent, type MetricRecordedEvent } from '../../platform/live/topics.js';
import { BUILT_IN_METRICS } from '../metrics/built-in-metrics.js';
import type { Interval } from '../metrics/interval.js';
import { RoiService } from '../roi/roi.service.js';
import type { RoiReport } from '../roi/roi.types.js';
import { feedsOf } from './live-feeds.js';

/** Arguments of roiUpdated. */
export interface RoiUpdateArgs {
  modelId?: string | null;
  from: Date;
  /** Omitted: up to the time of each recomputation. */
  to?: Date | null;
  interval?: Interval | null;
  communityId?: string | null;
}

const SOURCE_KEYS: Partial<Record<DataChangedEvent['kind'], ReadonlySet<string>>> = {
  relationship: new Set(BUILT_IN_METRICS.filter((m) => m.source === 'relationships').map((m) => m.key)),
  conversation: new Set(BUILT_IN_METRICS.filter((m) => m.source === 'conversations').map((m) => m.key)),
  'stage-change': new Set(BUILT_IN_METRICS.filter((m) => m.source === 'stage_changes').map((m) => m.key)),
};

/** The coalescing key: one per tenant, model and window, shared by all their subscribers on this node. */
export function roiKey(tenantId: string, a: RoiUpdateArgs): string {
  return [tenantId, a.modelId?.toLowerCase() ?? 'default', a.from.toISOString(), a.to?.toISOString() ?? 'now', a.interval ?? '', a.communityId?.toLowerCase() ?? ''].join('|');
}

/**
 * How one (tenant, model, window) is computed and what makes it stale: a point of a metric the
 * model uses inside the window, a change of relationship data feeding a built-in it uses, or a
 * new version of the model. Until the first report is known, every write counts.
 */
function roiSource(app: AppServices, principal: Principal, args: RoiUpdateArgs): CoalescedSource<RoiReport> {
  let uses: Set<string> | null = null;
  const inWindow = (at: number) => at >= args.from.getTime() && (!args.to || at < args.to.getTime());
  return {
    compute: async () => {
      const report = await inOwnScope(app, principal, (scope) =>
        new RoiService(scope).report(args.modelId, { from: args.from, to: args.to ?? new Date(), interval: args.interval, communityId: args.communityId }),
      );
      uses = new Set(report.variables.filter((v) => !v.parameter).map((v) => v.name));
      return report;
    },
    activate: (trigger) => {
      const tenant = principal.organizationId;
      const stops = [
        app.pubsub.subscribe(tenant, LIVE_TOPICS.metricRecorded, (payload) => {
          if ((payload as MetricRecordedEvent).points.some((p) => (!uses || uses.has(p.metricKey)) && inWindow(Date.parse(p.at)))) trigger();
        }),
        app.pubsub.subscribe(tenant, LIVE_TOPICS.dataChanged, (payload) => {
          const event = payload as DataChangedEvent;
          if (event.kind === 'roi-model') {
            if (!args.modelId || event.id.toLowerCase() === args.modelId.toLowerCase()) trigger();
            return;
          }
          if (event.kind === 'merge') {
            const span = { from: Date.parse(event.at), to: Date.parse(event.until ?? event.at) };
            const overlaps = span.to >= args.from.getTime() && (!args.to || span.from < args.to.getTime());
            if (overlaps && (!uses || (event.keys ?? []).some((k) => uses!.has(k)))) trigger();
            return;
          }
          const keys = SOURCE_KEYS[event.kind];
          if (keys && (!uses || [...keys].some((k) => uses!.has(k))) && inWindow(Date.parse(event.at))) trigger();
        }),
      ];
      return () => stops.forEach((stop) => stop());
    },
  };
}

/**
 * roiUpdated: the report of a model over a window, at once and then after each write that can
 * change it, recomputed at most every 250 ms per (tenant, model, window) and shared by all its
 * subscribers on the node.
 */
export class RoiUpdatesService {
  constructor(private readonly caller: LiveCaller) {}

  async subscribe(args: RoiUpdateArgs): Promise<AsyncIterable<RoiReport>> {
    const { app, principal, live } = this.caller;
    check(!args.to || args.to.getTime() > args.from.getTime(), 'to', 'to must be after from');
    let leave = () => {};
    const queue = live.queue<RoiReport>(() => leave());
    const membership = feedsOf(app).roi.join(roiKey(principal.organizationId, args), roiSource(app, principal, args), (result) => {
      if ('value' in result) return live.deliver(queue, result.value);
      // A model that no longer computes (say, a metric it uses is gone) ends the subscription with the reason.
      if (result.error instanceof AppError) return queue.fail(result.error);
      app.logger.warn('ROI recomputation failed', { error: result.error });
    });
    leave = membership.leave;
    try {
      queue.push(await membership.current);
    } catch (e) {
      queue.end();
      throw e;
    }
    return queue;
  }
}
