/** Maps NaN and ±Infinity to null, so no formula ever yields a non-finite number. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Shifts a number's decimal point by `places` exactly, through its shortest decimal text. */
function shiftDecimal(x: number, places: number): number {
  const [mantissa, exponent = '0'] = String(x).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

/**
 * Rounds half away from zero to `digits` decimals (an integer from 0 to 10, else null),
 * working on the decimal text so that round(1.005, 2) = 1.01 as a person expects.
 */
export function roundTo(x: number, digits: number): number | null {
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) return null;
  if (!Number.isFinite(x)) return null;
  if (Math.abs(x) >= 2 ** 52) return x; // every double this large is already a whole number
  const magnitude = shiftDecimal(Math.round(shiftDecimal(Math.abs(x), digits)), -digits);
  return finiteOrNull(x < 0 && magnitude !== 0 ? -magnitude : magnitude);
}
