import * as formula from './index';

describe('index', () => {
  it('parseFormula parses with the default limits', () => {
    expect(formula.printFormula(formula.parseFormula('(a+b)*c'))).toBe('(a + b) * c');
    expect(() => formula.parseFormula('a +')).toThrow(formula.FormulaError);
    expect(() => formula.parseFormula('1'.repeat(2001))).toThrow('formula is longer than 2000 characters');
  });

  it('exports the limits', () => {
    expect(formula.MAX_FORMULA_LENGTH).toBe(2000);
    expect(formula.MAX_DEPTH).toBe(64);
  });

  it('exports the whole public API', () => {
    for (const name of [
      'checkFormula',
      'compile',
      'evaluate',
      'functions',
      'parse',
      'parseFormula',
      'printFormula',
      'stripPositions',
      'tokenize',
      'topLevelTerms',
    ] as const) {
      expect(typeof formula[name]).not.toBe('undefined');
    }
  });

  it('works end to end', () => {
    const checked = formula.checkFormula('leads * lead_value - refunds', ['leads', 'lead_value', 'refunds']);
    expect(checked.errors).toEqual([]);
    const run = formula.compile(checked.ast!);
    expect(run(new Map([['leads', 4], ['lead_value', 25], ['refunds', 30]]))).toBe(70);
  });
});
