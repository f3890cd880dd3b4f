import { AppError } from '../../platform/errors';
import { leastSquares, type LeastSquaresFit } from './least-squares';
import { fitLagged, lagAdjustedLevel, MAX_EXHAUSTIVE } from './lagged-fit';
import { seededRandom } from './seeded-random';
import { tCritical } from './student-t';

const rng = seededRandom;

/** A count-like driver series: weekly qualified conversations around 40. */
function counts(n: number, r: ReturnType<typeof rng>, level = 40): number[] {
  return Array.from({ length: n }, () => Math.max(0, Math.round(level + 12 * r.normal())));
}

function refusal(fn: () => unknown): { message: string; code: unknown; field: unknown } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    return { message: err.message, code: err.extensions.code, field: err.extensions.field };
  }
  throw new Error('expected a refusal');
}

describe('fitLagged', () => {
  const n = 104;
  const r = rng(42);
  const driver = counts(n, r);
  const noise = counts(n, r, 30);
  // leads[t] = 3 + 0.25 · qualified_conversations[t - 2] + N(0, 1)
  const target = driver.map((_, t) => (t >= 2 ? 3 + 0.25 * driver[t - 2] + r.normal() : 3 + 0.25 * 40 + r.normal()));

  it('finds a lag-2 factor of 0.25 and covers it with its interval', () => {
    const fit = fitLagged({ target: { key: 'leads', values: target }, drivers: [{ key: 'qc', values: driver }], maxLag: 4 });
    const [d] = fit.drivers;
    expect(d.lag).toBe(2);
    expect(d.low).toBeLessThan(0.25);
    expect(d.high).toBeGreaterThan(0.25);
    expect(Math.abs(d.coefficient - 0.25)).toBeLessThan(0.05);
    expect(fit.n).toBe(n - 2); // refit on every row lag 2 allows
    expect(lagAdjustedLevel(0)).toBe(0.95);
    expect(fit.degreesOfFreedom).toBe(n - 2 - 2);
    expect(fit.r2).toBeGreaterThan(0.8);
    expect(fit.search).toBe('EXHAUSTIVE');
    expect(fit.fits).toBe(5);
  });

  it('matches an independent simple-regression computation at the chosen lag', () => {
    const fit = fitLagged({ target: { key: 'leads', values: target }, drivers: [{ key: 'qc', values: driver }], maxLag: 4 });
    const x = driver.slice(0, n - 2);
    const y = target.slice(2);
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    const sxy = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0);
    const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
    const syy = y.reduce((s, v) => s + (v - my) ** 2, 0);
    const slope = sxy / sxx;
    const rss = syy - slope * sxy;
    expect(fit.drivers[0].coefficient).toBeCloseTo(slope, 10);
    expect(fit.intercept).toBeCloseTo(my - slope * mx, 8);
    expect(fit.r2).toBeCloseTo((sxy * sxy) / (sxx * syy), 10);
    const se = Math.sqrt(rss / (x.length - 2) / sxx);
    expect(fit.drivers[0].standardError).toBeCloseTo(se, 10);
    // 95% across 5 candidate lags: the 1 - 0.05 / 5 / 2 = 0.995 quantile of t with n - 2 dof.
    expect(fit.intervalLevel).toBeCloseTo(0.99, 12);
    expect(fit.drivers[0].high - fit.drivers[0].coefficient).toBeCloseTo(tCritical(0.99, x.length - 2) * se, 10);
  });

  it('is calibrated: over many histories the truth is inside the interval and a null driver rarely excludes 0', () => {
    const runs = 300;
    let covered = 0;
    let falseFinds = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const rr = rng(1000 + seed);
      const x = counts(60, rr);
      const z = counts(60, rr, 30);
      const y = x.map((_, t) => (t >= 2 ? 3 + 0.25 * x[t - 2] + rr.normal() : 13 + rr.normal()));
      const fit = fitLagged({ target: { key: 'y', values: y }, drivers: [{ key: 'x', values: x }, { key: 'z', values: z }], maxLag: 4 });
      const [dx, dz] = fit.drivers;
      if (dx.lag === 2 && dx.low <= 0.25 && 0.25 <= dx.high) covered++;
      if (dz.low > 0 || dz.high < 0) falseFinds++;
    }
    // Expected ≥ 95% and ≤ 5%; the bounds leave room for 300 draws (binomial sd ≈ 1.3%).
    expect(covered / runs).toBeGreaterThan(0.91);
    expect(falseFinds / runs).toBeLessThan(0.08);
  });

  it('gives an unrelated driver an interval that contains 0, beside the real one', () => {
    const fit = fitLagged({
      target: { key: 'leads', values: target },
      drivers: [
        { key: 'qc', values: driver },
        { key: 'noise', values: noise },
      ],
      maxLag: 4,
    });
    const [qc, unrelated] = fit.drivers;
    expect(qc.lag).toBe(2);
    expect(qc.low).toBeLessThan(0.25);
    expect(qc.high).toBeGreaterThan(0.25);
    expect(unrelated.low).toBeLessThan(0);
    expect(unrelated.high).toBeGreaterThan(0);
    expect(fit.fits).toBe(25);
  });

  it('chooses the lags that minimise the residual sum of squares over the common rows', () => {
    const input = {
      target: { key: 'leads', values: target },
      drivers: [
        { key: 'qc', values: driver },
        { key: 'noise', values: noise },
      ],
      maxLag: 3,
    };
    const fit = fitLagged(input);
    const rows = Array.from({ length: n - 3 }, (_, i) => i + 3);
    const rssAt = (l0: number, l1: number) =>
      (leastSquares([rows.map((t) => driver[t - l0]), rows.map((t) => noise[t - l1])], rows.map((t) => target[t])) as LeastSquaresFit).rss;
    const chosen = rssAt(fit.drivers[0].lag, fit.drivers[1].lag);
    for (let a = 0; a <= 3; a++) for (let b = 0; b <= 3; b++) expect(chosen).toBeLessThanOrEqual(rssAt(a, b) + 1e-9);
  });

  it('refuses two collinear drivers', () => {
    const doubled = driver.map((v) => 2 * v + 1);
    const err = refusal(() =>
      fitLagged({
        target: { key: 'leads', values: target },
        drivers: [
          { key: 'qc', values: driver },
          { key: 'qc_twice', values: doubled },
        ],
        maxLag: 4,
      }),
    );
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(/collinear/);
    expect(err.message).toMatch(/exactly/);
  });

  it('refuses nearly collinear drivers, naming how much one explains', () => {
    const near = driver.map((v, i) => v + (i % 2 ? 1 : -1)); // R² = 144/145 against sd 12
    const err = refusal(() =>
      fitLagged({ target: { key: 'leads', values: target }, drivers: [{ key: 'a', values: driver }, { key: 'b', values: near }], maxLag: 1 }),
    );
    expect(err.message).toMatch(/'a' is 99\.\d% explained by 'b'/);
  });

  it('refuses a driver that never varies', () => {
    const err = refusal(() =>
      fitLagged({ target: { key: 'leads', values: target }, drivers: [{ key: 'flat', values: driver.map(() => 7) }], maxLag: 2 }),
    );
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'drivers[0]' });
    expect(err.message).toMatch(/never varies.*always 7/);
  });

  it('refuses a target that never varies', () => {
    const err = refusal(() => fitLagged({ target: { key: 'leads', values: driver.map(() => 0) }, drivers: [{ key: 'qc', values: driver }], maxLag: 2 }));
    expect(err).toMatchObject({ field: 'target' });
  });

  it('refuses too few intervals for drivers × lags, and accepts exactly enough', () => {
    // 2 drivers at lags 0..4 need 2·5 + 6 = 16 intervals after the first 4: 20 in all.
    const input = (len: number) => ({
      target: { key: 'leads', values: target.slice(0, len) },
      drivers: [
        { key: 'qc', values: driver.slice(0, len) },
        { key: 'noise', values: noise.slice(0, len) },
      ],
      maxLag: 4,
    });
    const err = refusal(() => fitLagged(input(19)));
    expect(err.message).toMatch(/too few intervals: 2 driver\(s\) at lags 0\.\.4 need at least 16 .* the window has 15/);
    expect(fitLagged(input(20)).drivers).toHaveLength(2);
  });

  it('leaves out buckets without a value (an average over an empty week)', () => {
    const gappy = driver.map((v, t) => (t % 10 === 5 ? null : v));
    const fit = fitLagged({ target: { key: 'leads', values: target }, drivers: [{ key: 'qc', values: gappy }], maxLag: 4 });
    expect(fit.drivers[0].lag).toBe(2);
    const rows = Array.from({ length: n - 2 }, (_, i) => i + 2).filter((t) => gappy[t - 2] !== null);
    expect(fit.n).toBe(rows.length);
  });

  it('searches many drivers by coordinate descent, within its bound, and still finds the lags', () => {
    const rr = rng(9);
    const xs = Array.from({ length: 5 }, () => counts(300, rr));
    // y depends on x0 at lag 1 and x3 at lag 4; the others are noise.
    const y = xs[0].map((_, t) => (t >= 4 ? 0.5 * xs[0][t - 1] + 0.3 * xs[3][t - 4] + rr.normal() : 30));
    const fit = fitLagged({ target: { key: 'y', values: y }, drivers: xs.map((values, j) => ({ key: `x${j}`, values })), maxLag: 4 });
    expect(5 ** 5).toBeGreaterThan(MAX_EXHAUSTIVE);
    expect(fit.search).toBe('COORDINATE_DESCENT');
    expect(fit.fits).toBeLessThanOrEqual(1 + 10 * 5 * 4);
    expect(fit.drivers[0]).toMatchObject({ lag: 1 });
    expect(fit.drivers[3]).toMatchObject({ lag: 4 });
    expect(fit.drivers[0].low).toBeLessThan(0.5);
    expect(fit.drivers[0].high).toBeGreaterThan(0.5);
  });
});
