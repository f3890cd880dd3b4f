import { checkFormula } from '../../formula/index.js';
import type { TenantScope } from '../../platform/context.js';
import { BadInputError, check, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../db/ids.js';
import { MAX_BUCKETS, type Interval } from '../metrics/interval.js';
import { resolveMetrics } from '../metrics/metric-catalog.js';
import { windowContext } from '../metrics/series.js';
import { RoiCalculator, type RoiDefinition } from './roi-calculator.js';
import { aggregateRoiInputs } from './roi-inputs.js';
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
    const model = modelId ? await models.find(modelId) : await models.findDefault();
    if (!model) throw new NotFoundError('ROI model', modelId ?? 'default');
    let definition: RoiDefinition = model;
    if (version != null && version !== model.version) {
      const saved = await models.version(model.id, version);
      if (!saved) throw new BadInputError(`version ${version} of this model does not exist (current: ${model.version})`, { field: 'version' });
      definition = saved;
    }
    return this.compute(definition, window, model, version ?? model.version);
  }

  /** The report of an unsaved draft over past data: a backtest before saving. */
  async preview(draft: RoiDefinition, window: RoiWindow): Promise<RoiReport> {
    validateDefinition(draft, await tenantMetricKeys(await this.scope.db()), 'model.');
    return this.compute(draft, window, null, null);
  }

  private async compute(definition: RoiDefinition, window: RoiWindow, model: RoiModel | null, version: number | null): Promise<RoiReport> {
    check(window.to.getTime() > window.from.getTime(), 'to', 'to must be after from');
    const db = await this.scope.db();
    const calc = new RoiCalculator(definition);
    const keys = [
      ...new Set([...checkFormula(definition.returnFormula, []).identifiers, ...checkFormula(definition.investmentFormula, []).identifiers]),
    ].filter((k) => !calc.parameters.has(k));
    const communityId = window.communityId ?? null;
    const [metrics, context] = await Promise.all([
      resolveMetrics(db, keys),
      windowContext(db, {
        from: window.from,
        to: window.to,
        interval: window.interval ?? null,
        communityId,
        communityValid: communityId !== null && isUuid(communityId),
      }),
    ]);
    const missing = keys.find((k) => !metrics.has(k));
    if (missing) throw new BadInputError(`the model uses '${missing}', which is no longer a metric or parameter`, { field: 'modelId' });
    check(context.communityKnown, 'communityId', `communityId '${communityId}' is not a community of this organization`);
    if (window.interval && context.buckets! > MAX_BUCKETS) {
      throw new BadInputError(`the window spans ${context.buckets} buckets at interval ${window.interval}; at most ${MAX_BUCKETS} are allowed`, {
        field: 'interval',
        max: MAX_BUCKETS,
      });
    }
    const inputs = await aggregateRoiInputs(db, {
      metrics,
      from: window.from,
      to: window.to,
      interval: window.interval ?? null,
      timezone: context.timezone,
      communityId: communityId?.toLowerCase() ?? null,
    });
    const totalVars = calc.variables(inputs.total);
    const totals = calc.figures(totalVars);
    return {
      model,
      version,
      from: window.from,
      to: window.to,
      interval: window.interval ?? null,
      communityId,
      ...totals,
      variables: [...totalVars].map(([name, value]) => ({ name, value, parameter: calc.parameters.has(name) })),
      series: inputs.buckets.map((b) => ({ start: b.start, ...calc.figures(calc.variables(b.values)) })),
      byCommunity: inputs.communities.map((c) => ({ communityId: c.communityId, ...calc.figures(calc.variables(c.values)) })),
      contributions: calc.contributions(totalVars, totals),
    };
  }
}
