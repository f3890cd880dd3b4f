import { studentTQuantile, tCritical } from './student-t';

describe('Student t quantiles', () => {
  it.each([
    // Two-sided 95% critical values from standard tables.
    [1, 12.7062],
    [2, 4.3027],
    [5, 2.5706],
    [10, 2.2281],
    [30, 2.0423],
    [120, 1.9799],
  ])('dof %i: %f', (dof, expected) => {
    expect(tCritical(0.95, dof)).toBeCloseTo(expected, 4);
  });

  it('tends to the normal quantile', () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
  });

  it('is symmetric', () => {
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 10);
  });

  it('refuses nonsense', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
  });
});
