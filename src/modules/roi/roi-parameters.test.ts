import { AppError } from '../../platform/errors';
import { applyParameterValues } from './roi-parameters';

const draft = {
  returnFormula: 'leads * lead_value',
  investmentFormula: 'hours_invested * hourly_rate',
  parameters: [
    { name: 'lead_value', value: 500 },
    { name: 'hourly_rate', value: 75 },
  ],
};

describe('applyParameterValues', () => {
  it('replaces parameters by name and appends new ones, leaving the draft untouched', () => {
    const out = applyParameterValues(
      draft,
      [
        { name: 'qualified_conversation_value', value: 120 },
        { name: 'lead_value', value: 812.5 },
      ],
      new Set(['leads', 'hours_invested']),
    );
    expect(out.parameters).toEqual([
      { name: 'lead_value', value: 812.5 },
      { name: 'hourly_rate', value: 75 },
      { name: 'qualified_conversation_value', value: 120 },
    ]);
    expect(draft.parameters[0].value).toBe(500);
  });

  it('refuses a bad name, a repeated name or a non-finite value, naming the entry', () => {
    const fieldOf = (values: Array<{ name: string; value: number }>) => {
      try {
        applyParameterValues(draft, values, new Set(['leads']));
      } catch (e) {
        return (e as AppError).extensions.field;
      }
      return null;
    };
    expect(fieldOf([{ name: 'Lead Value', value: 1 }])).toBe('suggestedParameters[0].name');
    expect(fieldOf([{ name: 'a', value: 1 }, { name: 'a', value: 2 }])).toBe('suggestedParameters[1].name');
    expect(fieldOf([{ name: 'a', value: Infinity }])).toBe('suggestedParameters[0].value');
    expect(fieldOf([{ name: 'b', value: 1 }, { name: 'leads', value: 2 }])).toBe('suggestedParameters[1].name');
  });
});
