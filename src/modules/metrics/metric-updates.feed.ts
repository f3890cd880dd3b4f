import type { Principal } from '../../platform/auth/principal.js';
import type { AppServices } from '../../platform/context.js';
import { check } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { inOwnScope, type LiveCaller } from '../../platform/live/live-context.js';
import { perServer } from '../../platform/live/per-server.js';
import { SharedFeeds } from '../../platform/live/shared-feeds.js';
import type { EventMeta } from '../../platform/pubsub/pubsub.js';
import { DATA_CHANGED, type DataChangedEvent } from '../communities/community.events.js';
import { communityById } from '../communities/community.loaders.js';
import { BUILT_IN_BY_KEY, builtInKeysTouchedBy } from './built-in-metrics.js';
import { resolveMetrics } from './metric-catalog.js';
import { aggregateMetrics } from './metric-engine.js';
import { METRIC_RECORDED, type MetricRecordedEvent } from './metric.events.js';
import type { MetricUpdate } from './metric.types.js';

/** metricUpdated's node-wide state for built-in keys: each data change turned into metric updates once per node. */
export const builtInFeeds = perServer(() => new SharedFeeds<MetricUpdate>());

/** Arguments of metricUpdated. */
export interface MetricUpdateFilter {
  metricKey?: string | null;
  communityId?: string | null;
}

/**
 * metricUpdated: every committed point of the caller's organization, optionally of one metric
 * and one community. A tenant's own metric streams its recorded points; a built-in one streams
 * what each relationship data change added to it.
 */
export class MetricUpdatesService {
  constructor(private readonly caller: LiveCaller) {}

  /** Validates the filter (unknown key or community: BAD_USER_INPUT), then streams. */
  async subscribe(filter: MetricUpdateFilter): Promise<AsyncIterable<MetricUpdate>> {
    const { app, principal, live } = this.caller;
    const metricKey = filter.metricKey ?? null;
    const communityId = filter.communityId?.toLowerCase() ?? null;
    await inOwnScope(app, principal, async (scope) => {
      if (metricKey !== null) {
        const metrics = await resolveMetrics(await scope.db(), [metricKey]);
        check(metrics.has(metricKey), 'metricKey', `metricKey '${metricKey}' is not a metric of this organization`);
      }
      if (communityId !== null) {
        const known = isUuid(communityId) && (await scope.loader(communityById).load(communityId)) !== null;
        check(known, 'communityId', `communityId '${filter.communityId}' is not a community of this organization`);
      }
    });
    const stops: Array<() => void> = [];
    const queue = live.queue<MetricUpdate>(() => stops.forEach((stop) => stop()));
    const wanted = (u: { metricKey: string; communityId: string | null }) =>
      (metricKey === null || u.metricKey === metricKey) && (communityId === null || u.communityId === communityId);
    if (metricKey !== null && BUILT_IN_BY_KEY.has(metricKey)) {
      const key = `${principal.organizationId}:${metricKey}`;
      stops.push(builtInFeeds(app).join(key, builtInFeed(app, principal, metricKey), (u) => wanted(u) && live.deliver(queue, u)));
    } else {
      stops.push(
        app.pubsub.subscribe(principal.organizationId, METRIC_RECORDED, (payload, meta) => {
          for (const u of updatesOf(payload as MetricRecordedEvent, meta)) if (wanted(u)) live.deliver(queue, u);
        }),
      );
    }
    return queue;
  }
}

const updatesByEvent = new WeakMap<MetricRecordedEvent, MetricUpdate[]>();

/** An event's points as MetricUpdates, made once per event: every subscriber gets the same objects, so their executions are shared. */
function updatesOf(event: MetricRecordedEvent, meta: EventMeta): MetricUpdate[] {
  let updates = updatesByEvent.get(event);
  if (!updates) {
    const committedAt = new Date(meta.publishedAt);
    updates = event.points.map((p) => ({ ...p, at: new Date(p.at), committedAt }));
    updatesByEvent.set(event, updates);
  }
  return updates;
}

/**
 * The feed of one built-in metric of one tenant: on each data change of its source, what that
 * change added to the metric, read back with the shared metrics engine around the change's time.
 */
function builtInFeed(app: AppServices, principal: Principal, metricKey: string) {
  return (emit: (u: MetricUpdate) => void) =>
    app.pubsub.subscribe(principal.organizationId, DATA_CHANGED, (payload, meta) => {
      const event = payload as DataChangedEvent;
      if (event.kind === 'merge') {
        // A merge carries what it added and took away: nothing to read back.
        const committedAt = new Date(meta.publishedAt);
        for (const p of event.points ?? []) {
          if (p.metricKey === metricKey) emit({ ...p, at: new Date(p.at), committedAt });
        }
        return;
      }
      if (!builtInKeysTouchedBy(event).includes(metricKey)) return;
      contribution(app, principal, metricKey, event, meta).then(
        (updates) => updates.forEach(emit),
        (error: unknown) => app.logger.warn('could not derive a built-in metric update', { error, metricKey }),
      );
    });
}

async function contribution(app: AppServices, principal: Principal, metricKey: string, event: DataChangedEvent, meta: EventMeta): Promise<MetricUpdate[]> {
  const at = new Date(event.at);
  // Event times are in ms; the rows behind them are in µs, so look 1 ms either side.
  return inOwnScope(app, principal, async (scope) => {
    const db = await scope.db();
    const rows = await aggregateMetrics(db, {
      metrics: await resolveMetrics(db, [metricKey]),
      keys: [metricKey],
      from: new Date(at.getTime() - 1),
      to: new Date(at.getTime() + 1),
      interval: null,
      timezone: 'UTC',
      communityId: null,
      byCommunity: true,
    });
    return rows
      .filter((r) => r.count > 0 && r.value !== null)
      .map((r) => ({ metricKey, communityId: r.communityId, at, value: r.value!, committedAt: new Date(meta.publishedAt) }));
  });
}
