import { createHash } from 'node:crypto';
import type { TenantDb } from '../../db/tenant.js';
import { ReportCache, tenantDataVersion } from '../../platform/cache/report-cache.js';
import type { AppServices, TenantScope } from '../../platform/context.js';
import { BadInputError, check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { MAX_BUCKETS, type Interval } from '../metrics/interval.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { aggregateMetricWindows, type ResolvedMetric } from '../metrics/metric-engine.js';
import { windowContext, type WindowContext } from '../metrics/series.js';
import { RoiCalculator, type RoiDefinition } from './roi-calculator.js';
import { aggregateRoiFamily, aggregateRoiInputs, scopeValues, type RoiFamilyInputs, type RoiInputs, type RoiWindowInputs } from './roi-inputs.js';
import { applyParameterValues } from './roi-parameters.js';
import { RoiModelService, tenantMetricKeys } from './roi-model.service.js';
import { validateDefinition } from './roi-model.validation.js';
import type { RoiModel, RoiReport } from './roi.types.js';

/** The window a report covers. */
export interface RoiWindow {
  from: Date;
  to: Date;
  interval?: Interval | null;
  communityId?: string | null;
}

/** Computes ROI reports: inputs aggregated in SQL, formulas evaluated in memory on the aggregates. */
export class RoiService {
  constructor(private readonly scope: TenantScope) {}

  /** The report of a saved model (the default one without modelId), at its current or a given version. */
  async report(modelId: string | null | undefined, window: RoiWindow, version?: number | null): Promise<RoiReport> {
    const models = new RoiModelService(this.scope);
    const { model, dataVersion } = await models.findForReport(modelId);
    if (!model) throw new NotFoundError('ROI model', modelId ?? 'default');
    let definition: RoiDefinition = model;
    if (version != null && version !== model.version) {
      const saved = await models.version(model.id, version);
      if (!saved) throw new BadInputError(`version ${version} of this model does not exist (current: ${model.version})`, { field: 'version' });
      definition = saved;
    }
    return this.compute(definition, window, model, version ?? model.version, dataVersion);
  }

  /**
   * The report of an unsaved draft over past data: a backtest before saving. `applied` values
   * (relationshipInsights' suggestions) replace or add parameters of the draft first.
   */
  async preview(draft: RoiDefinition, window: RoiWindow, applied: ReadonlyArray<{ name: string; value: number }> = []): Promise<RoiReport> {
    const keys = await tenantMetricKeys(await this.scope.db());
    const definition = applied.length ? applyParameterValues(draft, applied, keys) : draft;
    validateDefinition(definition, keys, 'model.');
    return this.compute(definition, window, null, null);
  }

  /**
   * The roi of saved models over many windows (a goal's elapsed period each), in one aggregation:
   * every window's metrics are read by one statement of the shared engine. By window id.
   */
  async roiOver(windows: ReadonlyArray<{ id: string; modelId: string; from: Date; to: Date }>): Promise<Map<string, number | null>> {
    if (!windows.length) return new Map();
    const models = new RoiModelService(this.scope);
    const calcs = new Map<string, RoiCalculator>();
    for (const modelId of new Set(windows.map((w) => w.modelId))) {
      const model = await models.find(modelId);
      if (!model) throw new NotFoundError('ROI model', modelId);
      calcs.set(modelId, new RoiCalculator(model));
    }
    const db = await this.scope.db();
    const metrics = await this.metricsOf(db, [...calcs.values()].flatMap((c) => c.metricKeys));
    const rows = await aggregateMetricWindows(db, {
      metrics,
      windows: windows.map((w) => ({ id: w.id, from: w.from, to: w.to, keys: calcs.get(w.modelId)!.metricKeys })),
      interval: null,
      timezone: 'UTC',
      communityId: null,
      byCommunity: false,
    });
    return new Map(
      windows.map((w) => {
        const calc = calcs.get(w.modelId)!;
        return [w.id, calc.figures(calc.variables(scopeValues(metrics, rows.filter((r) => r.windowId === w.id)))).roi];
      }),
    );
  }

  /**
   * Reports of a saved model over windows that share `from`, interval and community and differ
   * only in `to` (live subscribers' windows), from one aggregation: a bucket that lies wholly
   * inside several of them is evaluated once and shared. In the order of `tos`.
   */
  async reportsUpTo(modelId: string | null | undefined, base: Omit<RoiWindow, 'to'>, tos: readonly Date[]): Promise<RoiReport[]> {
    for (const to of tos) check(to.getTime() > base.from.getTime(), 'to', 'to must be after from');
    if (!tos.length) return [];
    const models = new RoiModelService(this.scope);
    const model = modelId ? await models.find(modelId) : await models.findDefault();
    if (!model) throw new NotFoundError('ROI model', modelId ?? 'default');
    const db = await this.scope.db();
    const calc = new RoiCalculator(model);
    const communityId = base.communityId ?? null;
    const last = new Date(Math.max(...tos.map((to) => to.getTime())));
    const context = await reportContext(db, { ...base, to: last }, calc.metricKeys);
    const metrics = knownMetrics(calc.metricKeys, context.metrics);
    checkWindow({ ...base, to: last }, context);
    const family = await aggregateRoiFamily(db, {
      metrics,
      from: base.from,
      tos,
      interval: base.interval ?? null,
      timezone: context.timezone,
      communityId: communityId?.toLowerCase() ?? null,
      starts: context.starts,
    });
    const series = sharedSeries(calc, family, last);
    return family.windows.map((w) => ({
      model,
      version: model.version,
      from: base.from,
      to: w.to,
      interval: base.interval ?? null,
      communityId,
      ...figuresOf(calc, w, series(w)),
    }));
  }

  /** `known`: the tenant's data version when already read with the model (undefined: read here). */
  private async compute(
    definition: RoiDefinition,
    window: RoiWindow,
    model: RoiModel | null,
    version: number | null,
    known?: string | null,
  ): Promise<RoiReport> {
    check(window.to.getTime() > window.from.getTime(), 'to', 'to must be after from');
    const db = await this.scope.db();
    const communityId = window.communityId ?? null;
    // Read before anything it covers: a write committed meanwhile makes the report newer than its key, never older.
    const dataVersion = known === undefined ? await tenantDataVersion(db) : known;
    const key =
      dataVersion === null
        ? null
        : [db.tenantId, dataVersion, definitionHash(definition), window.from.toISOString(), window.to.toISOString(), window.interval ?? '', communityId ?? ''].join('|');
    const figures = await reportCacheOf(this.scope.app).get(key, () => this.figures(db, definition, window));
    return { model, version, from: window.from, to: window.to, interval: window.interval ?? null, communityId, ...figures };
  }

  /** A report's figures, computed: inputs aggregated in SQL, formulas evaluated here. */
  private async figures(db: TenantDb, definition: RoiDefinition, window: RoiWindow): Promise<RoiFigures> {
    const calc = new RoiCalculator(definition);
    const communityId = window.communityId ?? null;
    const context = await reportContext(db, window, calc.metricKeys);
    const metrics = knownMetrics(calc.metricKeys, context.metrics);
    checkWindow(window, context);
    const inputs = await aggregateRoiInputs(db, {
      metrics,
      from: window.from,
      to: window.to,
      interval: window.interval ?? null,
      timezone: context.timezone,
      communityId: communityId?.toLowerCase() ?? null,
      starts: context.starts,
    });
    return figuresOf(calc, inputs, inputs.buckets.map((b) => seriesEntry(calc, b.start, b.values)));
  }

  /** The metrics a model uses, resolved; BAD_USER_INPUT when one of them is no longer a metric. */
  private async metricsOf(db: TenantDb, keys: readonly string[]): Promise<Map<string, ResolvedMetric>> {
    return knownMetrics(keys, await resolveMetrics(db, keys));
  }
}

/** `metrics` (the model's `keys` resolved); BAD_USER_INPUT when one of them is no longer a metric. */
function knownMetrics(keys: readonly string[], metrics: Map<string, ResolvedMetric>): Map<string, ResolvedMetric> {
  const missing = keys.find((k) => !metrics.has(k));
  if (missing) throw new BadInputError(`the model uses '${missing}', which is no longer a metric or parameter`, { field: 'modelId' });
  return metrics;
}

/** What `compute` caches of a report: everything but the model, read afresh (its name may change, its definition may not). */
type RoiFigures = ReturnType<typeof figuresOf>;

/** Each node's cache of computed reports (src/platform/cache), one per running server. */
const reportCaches = new WeakMap<AppServices, ReportCache<RoiFigures>>();

function reportCacheOf(app: AppServices): ReportCache<RoiFigures> {
  let cache = reportCaches.get(app);
  if (!cache) reportCaches.set(app, (cache = new ReportCache<RoiFigures>()));
  return cache;
}

/** What identifies a definition's formulas and parameters in a cache key. */
function definitionHash(definition: RoiDefinition): string {
  const { returnFormula, investmentFormula, parameters } = definition;
  return createHash('sha1')
    .update(JSON.stringify([returnFormula, investmentFormula, parameters.map((p) => [p.name, p.value])]))
    .digest('base64');
}

/**
 * A report's window context with its bucket starts and the model's metrics resolved, in one
 * statement, the report's grouped statement to come planned serially.
 */
function reportContext(db: TenantDb, window: RoiWindow, metricKeys: readonly string[]): Promise<WindowContext> {
  const communityId = window.communityId ?? null;
  return windowContext(db, {
    from: window.from,
    to: window.to,
    interval: window.interval ?? null,
    communityId,
    communityValid: communityId !== null && isUuid(communityId),
    starts: true,
    metricKeys,
    serial: true,
  });
}

/** The community must be the organization's, and a series at most MAX_BUCKETS long. */
function checkWindow(window: RoiWindow, context: WindowContext): void {
  check(context.communityKnown, 'communityId', `communityId '${window.communityId}' is not a community of this organization`);
  if (window.interval && context.buckets! > MAX_BUCKETS) {
    throw new BadInputError(`the window spans ${context.buckets} buckets at interval ${window.interval}; at most ${MAX_BUCKETS} are allowed`, {
      field: 'interval',
      max: MAX_BUCKETS,
    });
  }
}

/** One bucket of a report's series. */
type SeriesEntry = ReturnType<typeof seriesEntry>;

function seriesEntry(calc: RoiCalculator, start: Date, values: Map<string, number | null>) {
  return { start, ...calc.figures(calc.variables(values)) };
}

/**
 * The series of each window of a family. A bucket that ends by a window's `to` holds the same
 * points in every window that covers it, so it is evaluated once and the entry shared; only a
 * window's last bucket, when its `to` cuts it short, is evaluated for that window alone.
 */
function sharedSeries(calc: RoiCalculator, family: RoiFamilyInputs, last: Date): (w: RoiWindowInputs) => SeriesEntry[] {
  const { starts } = family;
  const ends = starts.map((_, k) => (k + 1 < starts.length ? starts[k + 1].getTime() : last.getTime()));
  const whole = new Map<number, SeriesEntry>();
  return (w) => {
    const to = w.to.getTime();
    const series: SeriesEntry[] = [];
    for (let k = 0; k < starts.length && starts[k].getTime() < to; k++) {
      if (ends[k] > to) {
        series.push(seriesEntry(calc, starts[k], w.bucket(starts[k])));
        continue;
      }
      let entry = whole.get(k);
      if (!entry) whole.set(k, (entry = seriesEntry(calc, starts[k], w.bucket(starts[k]))));
      series.push(entry);
    }
    return series;
  };
}

/** A report's figures: totals, variables, series, communities and contributions, from the aggregated inputs. */
function figuresOf(calc: RoiCalculator, inputs: Pick<RoiInputs, 'total' | 'communities'>, series: SeriesEntry[]) {
  const totalVars = calc.variables(inputs.total);
  const totals = calc.figures(totalVars);
  return {
    ...totals,
    variables: [...totalVars].map(([name, value]) => ({ name, value, parameter: calc.parameters.has(name) })),
    series,
    byCommunity: inputs.communities.map((c) => ({ communityId: c.communityId, ...calc.figures(calc.variables(c.values)) })),
    contributions: calc.contributions(totalVars, totals),
  };
}
