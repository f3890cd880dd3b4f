import type { Principal } from '../../platform/auth/principal.js';
import type { AppServices } from '../../platform/context.js';
import { AppError, check } from '../../platform/errors.js';
import { Coalescer, type CoalescedSource } from '../../platform/live/coalescer.js';
import { inOwnScope, type LiveCaller } from '../../platform/live/live-context.js';
import { perServer } from '../../platform/live/per-server.js';
import { DATA_CHANGED, type DataChangedEvent } from '../communities/community.events.js';
import { builtInKeysTouchedBy } from '../metrics/built-in-metrics.js';
import type { Interval } from '../metrics/interval.js';
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

/** roiUpdated's node-wide state: one recomputation per (tenant, model, window) at most every 250 ms. */
export const roiFeeds = perServer(() => new Coalescer<RoiReport>({ intervalMs: 250 }));

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
        app.pubsub.subscribe(tenant, METRIC_RECORDED, (payload) => {
          if ((payload as MetricRecordedEvent).points.some((p) => (!uses || uses.has(p.metricKey)) && inWindow(Date.parse(p.at)))) trigger();
        }),
        app.pubsub.subscribe(tenant, ROI_MODEL_CHANGED, (payload) => {
          const { modelId } = payload as RoiModelChangedEvent;
          if (!args.modelId || modelId.toLowerCase() === args.modelId.toLowerCase()) trigger();
        }),
        app.pubsub.subscribe(tenant, DATA_CHANGED, (payload) => {
          const event = payload as DataChangedEvent;
          const keys = builtInKeysTouchedBy(event);
          const span = { from: Date.parse(event.at), to: Date.parse(event.until ?? event.at) };
          const overlaps = span.to >= args.from.getTime() && (!args.to || span.from < args.to.getTime());
          if (keys.length && (!uses || keys.some((k) => uses!.has(k))) && overlaps) trigger();
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
    const membership = roiFeeds(app).join(roiKey(principal.organizationId, args), roiSource(app, principal, args), (result) => {
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
