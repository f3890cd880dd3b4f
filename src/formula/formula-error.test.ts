import { FormulaError } from './formula-error';

describe('FormulaError', () => {
  it('is an Error carrying its message and offsets', () => {
    const error = new FormulaError('boom', 3, 7);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(FormulaError);
    expect(error.message).toBe('boom');
    expect(error.name).toBe('FormulaError');
    expect([error.start, error.end]).toEqual([3, 7]);
  });

  it('at() takes its offsets from a span', () => {
    const error = FormulaError.at('bad token', { start: 5, end: 9 });
    expect([error.message, error.start, error.end]).toEqual(['bad token', 5, 9]);
  });
});
