// Chooses each driver's lag and fits the target on the lagged drivers. Pure: series in, fit out;
// refusals are BAD_USER_INPUT that say what is missing.
import { BadInputError } from '../../platform/errors.js';
import { lagScorer } from './lag-scorer.js';
import { leastSquares, varianceInflation, type LeastSquaresFit } from './least-squares.js';
import { tCritical } from './student-t.js';

/** Most drivers one question may name. */
export const MAX_DRIVERS = 10;
/** maxLag when none is given, in intervals. */
export const DEFAULT_MAX_LAG = 4;
/** Largest maxLag, in intervals. */
export const MAX_LAG = 12;
/** Most intervals one window may span. */
export const MAX_INSIGHT_BUCKETS = 2_000;
/** Residual degrees of freedom kept spare beyond one per driver per candidate lag. */
export const SPARE_DOF = 5;
/** Lag combinations searched exhaustively up to this many; beyond, coordinate descent. */
export const MAX_EXHAUSTIVE = 625;
/** Passes of coordinate descent at most. */
export const MAX_PASSES = 10;
/** Drivers whose variance inflation exceeds this (R² on the others > 0.99) are refused as collinear. */
export const MAX_VIF = 100;
/** Confidence level of the reported intervals (for each driver, across its maxLag + 1 candidate lags). */
export const LEVEL = 0.95;

/**
 * The per-lag level that keeps LEVEL for a driver whose lag was chosen among maxLag + 1 (Bonferroni):
 * with no relation at any lag, its interval excludes 0 at most 5% of the time, whichever lag won.
 */
export function lagAdjustedLevel(maxLag: number): number {
  return 1 - (1 - LEVEL) / (maxLag + 1);
}

/** One series aligned to the window's buckets; null where the metric has no value in a bucket. */
export type Series = ReadonlyArray<number | null>;

export interface LaggedFitInput {
  target: { key: string; values: Series };
  drivers: ReadonlyArray<{ key: string; values: Series }>;
  maxLag: number;
}

export interface DriverEstimate {
  driver: string;
  lag: number;
  coefficient: number;
  standardError: number;
  low: number;
  high: number;
}

export interface LaggedFit {
  n: number;
  r2: number;
  intercept: number;
  degreesOfFreedom: number;
  residualStandardError: number;
  drivers: DriverEstimate[];
  /** The two-sided level each interval is computed at (LEVEL, adjusted for the lag search). */
  intervalLevel: number;
  /** How the lags were chosen: EXHAUSTIVE or COORDINATE_DESCENT, and how many fits that took. */
  search: 'EXHAUSTIVE' | 'COORDINATE_DESCENT';
  fits: number;
}

/** Rows t (bucket indexes) where the target and every driver at its lag have a value. */
function usableRows(input: LaggedFitInput, lagsOf: (j: number) => readonly number[], first: number): number[] {
  const rows: number[] = [];
  const { target, drivers } = input;
  for (let t = first; t < target.values.length; t++) {
    if (target.values[t] === null) continue;
    if (drivers.every((d, j) => lagsOf(j).every((l) => d.values[t - l] !== null))) rows.push(t);
  }
  return rows;
}

function design(input: LaggedFitInput, rows: readonly number[], lags: readonly number[]): { columns: number[][]; y: number[] } {
  return {
    columns: input.drivers.map((d, j) => rows.map((t) => d.values[t - lags[j]] as number)),
    y: rows.map((t) => input.target.values[t] as number),
  };
}

/** Refuses inputs no fit can answer, before any search. */
function checkInputs(input: LaggedFitInput, common: readonly number[]): void {
  const { drivers, maxLag, target } = input;
  const needed = drivers.length * (maxLag + 1) + 1 + SPARE_DOF;
  if (common.length < needed) {
    throw new BadInputError(
      `too few intervals: ${drivers.length} driver(s) at lags 0..${maxLag} need at least ${needed} intervals with values after the first ${maxLag} ` +
        `(drivers × (maxLag + 1) + ${1 + SPARE_DOF}); the window has ${common.length}. Widen the window, use a shorter interval, fewer drivers or a smaller maxLag.`,
      { field: 'from', needed, available: common.length },
    );
  }
  drivers.forEach((d, j) => {
    const seen = new Set(d.values.filter((v) => v !== null));
    if (seen.size < 2) {
      throw new BadInputError(`driver '${d.key}' never varies in the window (${seen.size ? `always ${[...seen][0]}` : 'no values'}): it cannot explain anything`, {
        field: `drivers[${j}]`,
      });
    }
  });
  const ys = new Set(common.map((t) => target.values[t]));
  if (ys.size < 2) {
    throw new BadInputError(`target '${target.key}' never varies in the window: there is nothing to explain`, { field: 'target' });
  }
}

/** Refuses drivers that move together (at the same time): no data can tell their effects apart. */
function checkCollinearity(input: LaggedFitInput): void {
  const { drivers } = input;
  if (drivers.length < 2) return;
  const rows: number[] = [];
  for (let t = 0; t < input.target.values.length; t++) if (drivers.every((d) => d.values[t] !== null)) rows.push(t);
  const columns = drivers.map((d) => rows.map((t) => d.values[t] as number));
  const vif = varianceInflation(columns);
  const worst = vif.reduce((w, v, j) => (v > vif[w] ? j : w), 0);
  if (vif[worst] <= MAX_VIF) return;
  const r2 = Number.isFinite(vif[worst]) ? 1 - 1 / vif[worst] : 1;
  throw new BadInputError(
    `drivers are collinear: '${drivers[worst].key}' is ${r2 === 1 ? 'exactly' : `${(r2 * 100).toFixed(1)}%`} explained by ${drivers
      .filter((_, j) => j !== worst)
      .map((d) => `'${d.key}'`)
      .join(', ')}, so their effects cannot be told apart. Drop one of them.`,
    { field: `drivers[${worst}]`, r2 },
  );
}

/** Whether `rss` beats `best` by more than rounding (ties keep the earlier, smaller lags). */
function better(rss: number | null, best: number | null): rss is number {
  return rss !== null && (best === null || rss < best * (1 - 1e-12));
}

/** Every combination of lags 0..maxLag, smaller lags first. */
function exhaustive(d: number, maxLag: number, score: (lags: readonly number[]) => number | null): number[] | null {
  let best: number | null = null;
  let bestLags: number[] | null = null;
  const lags = new Array<number>(d).fill(0);
  for (;;) {
    const rss = score(lags);
    if (better(rss, best)) {
      best = rss;
      bestLags = [...lags];
    }
    let j = d - 1;
    while (j >= 0 && lags[j] === maxLag) lags[j--] = 0;
    if (j < 0) return bestLags;
    lags[j]++;
  }
}

/** Coordinate descent from all-zero lags: each driver's lag re-chosen with the others fixed, until nothing improves. */
function coordinateDescent(d: number, maxLag: number, score: (lags: readonly number[]) => number | null): number[] | null {
  const lags = new Array<number>(d).fill(0);
  let best = score(lags);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let improved = false;
    for (let j = 0; j < d; j++) {
      for (let l = 0; l <= maxLag; l++) {
        if (l === lags[j]) continue;
        const trial = [...lags];
        trial[j] = l;
        const rss = score(trial);
        if (better(rss, best)) {
          best = rss;
          lags[j] = l;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return best === null ? null : lags;
}

/**
 * Chooses each driver's lag in 0..maxLag by least residual sum of squares, all candidates fitted on
 * the same rows (those with every driver at every lag), so every candidate has the same n and p and
 * the RSS rule equals AIC or BIC. Then refits on every row the chosen lags allow.
 */
export function fitLagged(input: LaggedFitInput): LaggedFit {
  const { drivers, maxLag } = input;
  const all = Array.from({ length: maxLag + 1 }, (_, l) => l);
  const common = usableRows(input, () => all, maxLag);
  checkInputs(input, common);
  checkCollinearity(input);
  const scorer = lagScorer(input.target.values, drivers.map((d) => d.values), common, MAX_VIF);
  const score = (lags: readonly number[]) => scorer.score(lags);
  const search = (maxLag + 1) ** drivers.length <= MAX_EXHAUSTIVE ? 'EXHAUSTIVE' : 'COORDINATE_DESCENT';
  const lags = search === 'EXHAUSTIVE' ? exhaustive(drivers.length, maxLag, score) : coordinateDescent(drivers.length, maxLag, score);
  if (!lags) {
    throw new BadInputError('at every lag, some driver is constant or explained by the others within the window: drop a driver or widen the window', {
      field: 'drivers',
    });
  }
  const rows = usableRows(input, (j) => [lags[j]], Math.max(...lags));
  const { columns, y } = design(input, rows, lags);
  const fit = leastSquares(columns, y) as LeastSquaresFit; // a superset of the common rows: not singular
  return estimates(input, lags, fit, search, scorer.fits);
}

function estimates(input: LaggedFitInput, lags: number[], fit: LeastSquaresFit, search: LaggedFit['search'], fits: number): LaggedFit {
  const intervalLevel = lagAdjustedLevel(input.maxLag);
  const t = tCritical(intervalLevel, fit.dof);
  return {
    n: fit.n,
    r2: fit.r2,
    intercept: fit.intercept,
    degreesOfFreedom: fit.dof,
    residualStandardError: fit.sigma,
    drivers: input.drivers.map((d, j) => ({
      driver: d.key,
      lag: lags[j],
      coefficient: fit.coefficients[j],
      standardError: fit.standardErrors[j],
      low: fit.coefficients[j] - t * fit.standardErrors[j],
      high: fit.coefficients[j] + t * fit.standardErrors[j],
    })),
    intervalLevel,
    search,
    fits,
  };
}
