import { jStat } from 'jstat';

/** The p-quantile of Student's t distribution with `dof` degrees of freedom (jStat's inverse CDF). */
export function studentTQuantile(p: number, dof: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  if (!(dof > 0)) throw new RangeError('dof must be positive');
  return jStat.studentt.inv(p, dof);
}

/** Half-width multiplier of a two-sided interval at `level` (0.95: the 0.975 quantile). */
export function tCritical(level: number, dof: number): number {
  return studentTQuantile(1 - (1 - level) / 2, dof);
}
