import { check } from '../../platform/errors.js';
import { MAX_METRIC_KEY_LENGTH, METRIC_KEY_PATTERN } from '../metrics/metric-catalog.js';
import type { RoiDefinition } from './roi-calculator.js';

/** Most parameter values previewRoi applies at once. */
export const MAX_APPLIED_PARAMETERS = 100;

/**
 * The draft with `values` applied onto its parameters: each replaces the draft's parameter of the
 * same name, or is added after them. Names and values are checked here (BAD_USER_INPUT naming
 * `field[i]`); the merged definition is then validated like any draft.
 */
export function applyParameterValues(
  draft: RoiDefinition,
  values: ReadonlyArray<{ name: string; value: number }>,
  metricKeys: ReadonlySet<string>,
  field = 'suggestedParameters',
): RoiDefinition {
  check(values.length <= MAX_APPLIED_PARAMETERS, field, `${field} may hold at most ${MAX_APPLIED_PARAMETERS} values`);
  const applied = new Map<string, number>();
  values.forEach((p, i) => {
    check(METRIC_KEY_PATTERN.test(p.name) && p.name.length <= MAX_METRIC_KEY_LENGTH, `${field}[${i}].name`, `${field}[${i}].name '${p.name}' must match [a-z_][a-z0-9_]*`);
    check(!metricKeys.has(p.name), `${field}[${i}].name`, `${field}[${i}].name: '${p.name}' is a metric, not a parameter`);
    check(!applied.has(p.name), `${field}[${i}].name`, `${field}[${i}].name: '${p.name}' is given twice`);
    check(Number.isFinite(p.value), `${field}[${i}].value`, `${field}[${i}].value must be a finite number`);
    applied.set(p.name, p.value);
  });
  const parameters = draft.parameters.map((p) => ({ name: p.name, value: applied.get(p.name) ?? p.value }));
  const present = new Set(parameters.map((p) => p.name));
  for (const [name, value] of applied) if (!present.has(name)) parameters.push({ name, value });
  return { returnFormula: draft.returnFormula, investmentFormula: draft.investmentFormula, parameters };
}
