import { RoiCalculator, RoiFormulaKind, roiOf } from './roi-calculator';

const model = new RoiCalculator({
  returnFormula: 'leads * lead_value + opportunities * opportunity_value',
  investmentFormula: 'hours_invested * hourly_rate + ad_spend',
  parameters: [
    { name: 'lead_value', value: 500 },
    { name: 'opportunity_value', value: 5000 },
    { name: 'hourly_rate', value: 75 },
  ],
});

const vars = model.variables(new Map([['leads', 8], ['opportunities', 2], ['hours_invested', 40], ['ad_spend', 1000]]));

describe('roiOf', () => {
  it('is (return - investment) / investment, null without investment', () => {
    expect(roiOf(300, 100)).toBe(2);
    expect(roiOf(300, 0)).toBeNull();
    expect(roiOf(null, 100)).toBeNull();
  });
});

describe('RoiCalculator', () => {
  it('evaluates both formulas over parameters and aggregates', () => {
    // return 8*500 + 2*5000 = 14000; investment 40*75 + 1000 = 4000; roi 2.5
    expect(model.figures(vars)).toEqual({ return: 14000, investment: 4000, roi: 2.5 });
  });

  it('splits each formula into its top-level terms with values and shares', () => {
    const totals = model.figures(vars);
    expect(model.contributions(vars, totals)).toEqual([
      { formula: RoiFormulaKind.RETURN, term: 'leads * lead_value', value: 4000, share: 4000 / 14000 },
      { formula: RoiFormulaKind.RETURN, term: 'opportunities * opportunity_value', value: 10000, share: 10000 / 14000 },
      { formula: RoiFormulaKind.INVESTMENT, term: 'hours_invested * hourly_rate', value: 3000, share: 0.75 },
      { formula: RoiFormulaKind.INVESTMENT, term: 'ad_spend', value: 1000, share: 0.25 },
    ]);
  });

  it('signs subtracted terms and gives null shares of a zero total', () => {
    const calc = new RoiCalculator({ returnFormula: 'a - b', investmentFormula: 'c', parameters: [] });
    const v = calc.variables(new Map([['a', 5], ['b', 5], ['c', 0]]));
    const totals = calc.figures(v);
    expect(totals).toEqual({ return: 0, investment: 0, roi: null });
    expect(calc.contributions(v, totals).map((c) => [c.value, c.share])).toEqual([[5, null], [-5, null], [0, null]]);
  });

  it('lets a metric value of null (no data for an AVG) make the figure null, never NaN', () => {
    const calc = new RoiCalculator({ returnFormula: 'avg_sentiment * 100', investmentFormula: 'x / 0', parameters: [] });
    expect(calc.figures(calc.variables(new Map([['avg_sentiment', null], ['x', 1]])))).toEqual({ return: null, investment: null, roi: null });
  });
});
