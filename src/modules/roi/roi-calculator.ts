import { compile, identifierNodes, parseFormula, topLevelTerms, type CompiledFormula, type Variables } from '../../formula/index.js';

/** A model version as the calculator needs it: two formulas and named parameters. */
export interface RoiDefinition {
  returnFormula: string;
  investmentFormula: string;
  parameters: ReadonlyArray<{ name: string; value: number }>;
}

/** Which of a model's two formulas a term belongs to. */
export enum RoiFormulaKind {
  RETURN = 'RETURN',
  INVESTMENT = 'INVESTMENT',
}

/** Return, investment and roi of one scope (the window, a bucket or a community). */
export interface RoiFigures {
  return: number | null;
  investment: number | null;
  roi: number | null;
}

export interface RoiContribution {
  formula: RoiFormulaKind;
  term: string;
  value: number | null;
  share: number | null;
}

interface CompiledTerm {
  formula: RoiFormulaKind;
  text: string;
  sign: 1 | -1;
  run: CompiledFormula;
}

/** `(return - investment) / investment`, null where investment is 0 or either is unknown. */
export function roiOf(ret: number | null, investment: number | null): number | null {
  if (ret === null || investment === null || investment === 0) return null;
  const roi = (ret - investment) / investment;
  return Number.isFinite(roi) ? roi : null;
}

/**
 * A model compiled once and evaluated on many scopes' aggregates: formulas run in memory on
 * values SQL has already aggregated, never on raw points.
 */
export class RoiCalculator {
  private readonly returnFormula: CompiledFormula;
  private readonly investmentFormula: CompiledFormula;
  private readonly terms: CompiledTerm[];
  /** Parameter names and values, the base every scope's variables start from. */
  readonly parameters: ReadonlyMap<string, number>;
  /** The metric keys the formulas use (every identifier that is not a parameter), in order of first use. */
  readonly metricKeys: readonly string[];

  constructor(definition: RoiDefinition) {
    const ret = parseFormula(definition.returnFormula);
    const inv = parseFormula(definition.investmentFormula);
    this.returnFormula = compile(ret);
    this.investmentFormula = compile(inv);
    const termsOf = (formula: RoiFormulaKind, ast: typeof ret): CompiledTerm[] =>
      topLevelTerms(ast).map((t) => ({ formula, text: t.text, sign: t.sign, run: compile(t.ast) }));
    this.terms = [...termsOf(RoiFormulaKind.RETURN, ret), ...termsOf(RoiFormulaKind.INVESTMENT, inv)];
    this.parameters = new Map(definition.parameters.map((p) => [p.name, p.value]));
    this.metricKeys = [...new Set([...identifierNodes(ret), ...identifierNodes(inv)].map((n) => n.name))].filter((k) => !this.parameters.has(k));
  }

  /** Variables of a scope: the parameters, then each metric's aggregated value. */
  variables(metricValues: ReadonlyMap<string, number | null>): Map<string, number | null> {
    const vars = new Map<string, number | null>(this.parameters);
    for (const [k, v] of metricValues) vars.set(k, v);
    return vars;
  }

  /** Return, investment and roi over one scope's variables. */
  figures(vars: Variables): RoiFigures {
    const ret = this.returnFormula(vars);
    const investment = this.investmentFormula(vars);
    return { return: ret, investment, roi: roiOf(ret, investment) };
  }

  /** Each top-level term of both formulas with its signed value and its share of its formula's total. */
  contributions(vars: Variables, totals: RoiFigures): RoiContribution[] {
    return this.terms.map((t) => {
      const raw = t.run(vars);
      const value = raw === null ? null : t.sign * raw;
      const total = t.formula === RoiFormulaKind.RETURN ? totals.return : totals.investment;
      const share = value === null || total === null || total === 0 ? null : value / total;
      return { formula: t.formula, term: t.text, value, share: share !== null && Number.isFinite(share) ? share : null };
    });
  }
}
