import { isSingular, leastSquares } from './least-squares';
import { lagScorer } from './lag-scorer';
import { seededRandom } from './seeded-random';

describe('lagScorer', () => {
  const r = seededRandom(11);
  const n = 80;
  const drivers = Array.from({ length: 3 }, () => Array.from({ length: n }, () => 30 + 10 * r.normal()));
  const target = drivers[0].map((_, t) => (t >= 2 ? 2 + 0.4 * drivers[0][t - 2] - 0.2 * drivers[2][t] : 10) + r.normal());
  const rows = Array.from({ length: n - 4 }, (_, i) => i + 4);

  it('gives the same residual sum of squares as the QR fit, for every lag combination', () => {
    const scorer = lagScorer(target, drivers, rows, 100);
    for (let a = 0; a <= 4; a++)
      for (let b = 0; b <= 4; b += 2)
        for (let c = 0; c <= 4; c += 4) {
          const lags = [a, b, c];
          const fit = leastSquares(
            lags.map((l, j) => rows.map((t) => drivers[j][t - l])),
            rows.map((t) => target[t]),
          );
          if (isSingular(fit)) throw new Error('unexpected');
          expect(scorer.score(lags)! / fit.rss).toBeCloseTo(1, 9);
        }
    expect(scorer.fits).toBe(5 * 3 * 2);
  });

  it('refuses a constant column, an exact combination and a variance inflation over the bound', () => {
    const flat = drivers[0].map(() => 5);
    expect(lagScorer(target, [drivers[0], flat], rows, 100).score([0, 0])).toBeNull();
    const sum = drivers[0].map((v, t) => v + 2 * drivers[1][t]);
    expect(lagScorer(target, [drivers[0], drivers[1], sum], rows, 1e12).score([0, 0, 0])).toBeNull();
    const near = drivers[0].map((v, t) => v + 0.5 * (t % 2 ? 1 : -1));
    expect(lagScorer(target, [drivers[0], near], rows, 100).score([0, 0])).toBeNull();
    // The same pair at different lags is not collinear.
    expect(lagScorer(target, [drivers[0], near], rows, 100).score([0, 1])).not.toBeNull();
  });
});
