import { checkFormula } from '../../formula/index.js';
import { BadInputError, check } from '../../platform/errors.js';
import { requiredText } from '../../platform/input.js';
import { MAX_METRIC_KEY_LENGTH, METRIC_KEY_PATTERN } from '../metrics/metric-catalog.js';
import type { RoiDefinition } from './roi-calculator.js';

/**
 * Checks a model against the tenant's metric keys before anything is saved or computed:
 * parameter names are identifiers, unique, and shadow no metric; every identifier of both
 * formulas is a parameter or a metric. The first problem is BAD_USER_INPUT naming its field
 * (and, for a formula, the offending offsets).
 */
export function validateDefinition(definition: RoiDefinition, metricKeys: ReadonlySet<string>, fieldPrefix = ''): void {
  const seen = new Set<string>();
  definition.parameters.forEach((p, i) => {
    const field = `${fieldPrefix}parameters[${i}].name`;
    check(METRIC_KEY_PATTERN.test(p.name) && p.name.length <= MAX_METRIC_KEY_LENGTH, field, `${field} '${p.name}' must match [a-z_][a-z0-9_]*`);
    check(!seen.has(p.name), field, `${field}: duplicate parameter '${p.name}'`);
    check(!metricKeys.has(p.name), field, `${field}: parameter '${p.name}' shadows the metric of the same key`);
    check(Number.isFinite(p.value), `${fieldPrefix}parameters[${i}].value`, `${fieldPrefix}parameters[${i}].value must be a finite number`);
    seen.add(p.name);
  });
  const known = new Set([...metricKeys, ...seen]);
  for (const [field, formula] of [
    [`${fieldPrefix}returnFormula`, definition.returnFormula],
    [`${fieldPrefix}investmentFormula`, definition.investmentFormula],
  ] as const) {
    const { errors } = checkFormula(formula, known);
    if (errors.length) {
      const [e] = errors;
      throw new BadInputError(`${field}: ${e.message} (at ${e.start}..${e.end})`, { field, start: e.start, end: e.end });
    }
  }
}

/** Trims and checks a model name. */
export function modelName(name: string, field = 'name'): string {
  return requiredText(name, field, 200);
}
