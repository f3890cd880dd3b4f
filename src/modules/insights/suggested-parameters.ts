// Which ROI model parameters a fit informs, and the values it implies. Pure.
import { parseFormula, topLevelTerms } from '../../formula/index.js';
import type { DriverEstimate } from './lagged-fit.js';

/** A parameter value a fit implies, with the interval it carries over from its coefficient. */
export interface SuggestedParameter {
  name: string;
  value: number;
  low: number;
  high: number;
  /** The driver whose coefficient gives the value. */
  driver: string;
  /** How the value follows from the fit, in a sentence. */
  basis: string;
}

/** A model as far as suggestions need it. */
export interface ModelShape {
  returnFormula: string;
  investmentFormula: string;
  parameters: ReadonlyArray<{ name: string; value: number }>;
}

/** What we know of the target metric. */
export interface TargetShape {
  key: string;
  /** Its unit (tenant metrics only; null for built-ins or when none was given). */
  unit: string | null;
}

/** Currency codes (ISO 4217 style) and symbols that make a unit money. */
const MONEY_UNIT = /^(?:[A-Z]{3}|[$€£¥₹]|US\$)$/;

/** Singular names for built-in keys; anything else takes `<key>_value`. */
const SINGULAR: ReadonlyMap<string, string> = new Map([
  ['relationships', 'relationship'],
  ['qualified_relationships', 'qualified_relationship'],
  ['conversations', 'conversation'],
  ['qualified_conversations', 'qualified_conversation'],
  ['leads', 'lead'],
  ['opportunities', 'opportunity'],
  ['customers', 'customer'],
]);

/** The parameter name for the value of one unit of `metricKey`: `lead_value`, `qualified_conversation_value`, `<key>_value`. */
export function valueParameterName(metricKey: string): string {
  return `${SINGULAR.get(metricKey) ?? metricKey}_value`;
}

function identifierName(node: { kind: string; name?: string }): string | null {
  return node.kind === 'Identifier' ? (node.name ?? null) : null;
}

/**
 * The metrics a return formula values by a parameter: each top-level term `metric * parameter`
 * (either order), e.g. the default model's `leads * lead_value` gives leads -> lead_value.
 */
export function valuedMetrics(model: ModelShape): Map<string, string> {
  const parameters = new Set(model.parameters.map((p) => p.name));
  const valued = new Map<string, string>();
  for (const term of topLevelTerms(parseFormula(model.returnFormula))) {
    const ast = term.ast;
    if (term.sign !== 1 || ast.kind !== 'Binary' || ast.op !== '*') continue;
    const [a, b] = [identifierName(ast.left), identifierName(ast.right)];
    if (!a || !b) continue;
    if (parameters.has(b) && !parameters.has(a)) valued.set(a, b);
    else if (parameters.has(a) && !parameters.has(b)) valued.set(b, a);
  }
  return valued;
}

/** Whether the target is a return in money: a currency unit, and not an input of the model's investment. */
export function isMoneyReturn(target: TargetShape, model: ModelShape): boolean {
  if (!target.unit || !MONEY_UNIT.test(target.unit.trim())) return false;
  return !new RegExp(`(?<![a-z0-9_])${target.key}(?![a-z0-9_])`).test(model.investmentFormula);
}

/**
 * Parameter values the fit implies for the model, for drivers whose 95% interval lies above 0
 * (a coefficient that may be 0 or negative informs no value):
 * - a money target (revenue): one unit of a driver is worth its coefficient. The parameter is the
 *   one the model values that driver by (leads -> lead_value), else `<driver>_value`.
 * - a target the model values by a parameter (leads, by lead_value): one unit of a driver is
 *   worth its coefficient (leads per unit) times that parameter's value, as `<driver>_value`.
 */
export function suggestParameters(target: TargetShape, model: ModelShape, drivers: readonly DriverEstimate[]): SuggestedParameter[] {
  const valued = valuedMetrics(model);
  const money = isMoneyReturn(target, model);
  const targetParameter = valued.get(target.key);
  const targetValue = model.parameters.find((p) => p.name === targetParameter)?.value;
  const out: SuggestedParameter[] = [];
  for (const d of drivers) {
    if (!(d.low > 0)) continue;
    if (money) {
      const name = valued.get(d.driver) ?? valueParameterName(d.driver);
      out.push({
        name,
        value: d.coefficient,
        low: d.low,
        high: d.high,
        driver: d.driver,
        basis: `each ${d.driver} goes with ${fmt(d.coefficient)} ${target.unit} of ${target.key} ${lagText(d.lag)}`,
      });
    } else if (targetParameter !== undefined && targetValue !== undefined && !valued.has(d.driver)) {
      out.push({
        name: valueParameterName(d.driver),
        value: d.coefficient * targetValue,
        low: Math.min(d.low * targetValue, d.high * targetValue),
        high: Math.max(d.low * targetValue, d.high * targetValue),
        driver: d.driver,
        basis: `each ${d.driver} goes with ${fmt(d.coefficient)} ${target.key} ${lagText(d.lag)}, each valued at ${targetParameter} = ${fmt(targetValue)}`,
      });
    }
  }
  return out.filter((s) => s.name.length <= 63);
}

function lagText(lag: number): string {
  return lag === 0 ? 'in the same interval' : `${lag} interval${lag === 1 ? '' : 's'} later`;
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
