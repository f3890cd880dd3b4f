import { finiteOrNull, roundTo } from './numeric';

describe('finiteOrNull', () => {
  it('keeps finite numbers and maps NaN and ±Infinity to null', () => {
    expect(finiteOrNull(1.5)).toBe(1.5);
    expect(finiteOrNull(0)).toBe(0);
    expect(finiteOrNull(NaN)).toBeNull();
    expect(finiteOrNull(Infinity)).toBeNull();
    expect(finiteOrNull(-Infinity)).toBeNull();
  });
});

describe('roundTo', () => {
  it('rounds half away from zero', () => {
    expect(roundTo(2.5, 0)).toBe(3);
    expect(roundTo(-2.5, 0)).toBe(-3);
    expect(roundTo(2.4, 0)).toBe(2);
    expect(roundTo(-2.4, 0)).toBe(-2);
  });

  it('rounds the decimal the user sees, not its binary approximation', () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(1.255, 2)).toBe(1.26);
    expect(roundTo(1000000000000000.5, 0)).toBe(1000000000000001);
  });

  it('handles tiny and huge magnitudes', () => {
    expect(roundTo(1e-7, 10)).toBe(1e-7);
    expect(roundTo(1.23456e-7, 8)).toBe(1.2e-7);
    expect(roundTo(1e300, 10)).toBe(1e300);
    expect(Object.is(roundTo(-0.4, 0), 0)).toBe(true);
  });

  it('rejects digits that are not whole numbers from 0 to 10', () => {
    expect(roundTo(1.5, -1)).toBeNull();
    expect(roundTo(1.5, 11)).toBeNull();
    expect(roundTo(1.5, 1.5)).toBeNull();
    expect(roundTo(3.14159, 10)).toBe(3.14159);
    expect(roundTo(3.14159, 3)).toBe(3.142);
  });
});
