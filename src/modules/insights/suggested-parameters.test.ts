import { DEFAULT_MODEL } from '../roi/roi.seeder';
import { isMoneyReturn, suggestParameters, valuedMetrics, valueParameterName } from './suggested-parameters';

const DEFAULT = DEFAULT_MODEL;

const estimate = (driver: string, coefficient: number, low: number, high: number, lag = 2) => ({ driver, lag, coefficient, standardError: 1, low, high });

describe('suggested parameters', () => {
  it('reads which metric each parameter values in a return formula', () => {
    expect(valuedMetrics(DEFAULT)).toEqual(
      new Map([
        ['leads', 'lead_value'],
        ['opportunities', 'opportunity_value'],
        ['customers', 'customer_value'],
      ]),
    );
    expect(valuedMetrics({ ...DEFAULT, returnFormula: 'lead_value * leads - customers * customer_value + 2 * opportunities' })).toEqual(
      new Map([['leads', 'lead_value']]),
    );
  });

  it('names parameters like the default model does', () => {
    expect(valueParameterName('qualified_conversations')).toBe('qualified_conversation_value');
    expect(valueParameterName('demo_calls')).toBe('demo_calls_value');
  });

  it('knows a money return from a cost', () => {
    expect(isMoneyReturn({ key: 'revenue', unit: 'USD' }, DEFAULT)).toBe(true);
    expect(isMoneyReturn({ key: 'revenue', unit: '€' }, DEFAULT)).toBe(true);
    expect(isMoneyReturn({ key: 'ad_spend', unit: 'USD' }, DEFAULT)).toBe(false);
    expect(isMoneyReturn({ key: 'visits', unit: 'views' }, DEFAULT)).toBe(false);
    expect(isMoneyReturn({ key: 'leads', unit: null }, DEFAULT)).toBe(false);
  });

  it('with a revenue target, a lead is worth its coefficient, as lead_value; other drivers get <key>_value', () => {
    const out = suggestParameters({ key: 'revenue', unit: 'USD' }, DEFAULT, [
      estimate('leads', 812, 600, 1024),
      estimate('qualified_conversations', 95, 20, 170, 1),
    ]);
    expect(out).toEqual([
      expect.objectContaining({ name: 'lead_value', value: 812, low: 600, high: 1024, driver: 'leads' }),
      expect.objectContaining({ name: 'qualified_conversation_value', value: 95, driver: 'qualified_conversations' }),
    ]);
    expect(out[1].basis).toBe('each qualified_conversations goes with 95 USD of revenue 1 interval later');
  });

  it('with leads as the target, a qualified conversation is worth leads per conversation × lead_value', () => {
    const [s] = suggestParameters({ key: 'leads', unit: null }, DEFAULT, [estimate('qualified_conversations', 0.25, 0.2, 0.3)]);
    expect(s).toMatchObject({ name: 'qualified_conversation_value', value: 125, low: 100, high: 150 });
    expect(s.basis).toMatch(/lead_value = 500/);
  });

  it('suggests nothing from an interval that reaches 0, or from a target the model does not value', () => {
    expect(suggestParameters({ key: 'revenue', unit: 'USD' }, DEFAULT, [estimate('leads', 50, -10, 110)])).toEqual([]);
    expect(suggestParameters({ key: 'visits', unit: null }, DEFAULT, [estimate('conversations', 3, 2, 4)])).toEqual([]);
    expect(suggestParameters({ key: 'ad_spend', unit: 'USD' }, DEFAULT, [estimate('leads', 3, 2, 4)])).toEqual([]);
  });
});
