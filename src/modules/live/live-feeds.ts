import type { AppServices } from '../../platform/context.js';
import { Coalescer } from '../../platform/live/coalescer.js';
import { SharedFeeds } from '../../platform/live/shared-feeds.js';
import type { RoiReport } from '../roi/roi.types.js';
import type { GoalBatch } from './goal-progress.feed.js';
import type { MetricUpdate } from './metric-update.type.js';

/** The node-wide live state of one server: shared feeds and coalescers, made on first use. */
export class LiveFeeds {
  /** roiUpdated: one recomputation per (tenant, model, window) at most every 250 ms. */
  readonly roi = new Coalescer<RoiReport>({ intervalMs: 250 });
  /** goalProgressUpdated: the progress of the goals a tenant's writes touched, at most every 250 ms. */
  readonly goals = new Coalescer<GoalBatch>({ intervalMs: 250 });
  /** metricUpdated on built-in keys: each data change turned into metric updates once per node. */
  readonly builtIns = new SharedFeeds<MetricUpdate>();
}

const byApp = new WeakMap<AppServices, LiveFeeds>();

/** The live state of the server `app` belongs to (several servers may share a process in tests). */
export function feedsOf(app: AppServices): LiveFeeds {
  let feeds = byApp.get(app);
  if (!feeds) byApp.set(app, (feeds = new LiveFeeds()));
  return feeds;
}
