import { seededRandom } from './seeded-random';
import { isSingular, leastSquares, varianceInflation, type LeastSquaresFit } from './least-squares';

/** An independent answer: normal equations with an explicit intercept column, by Gauss-Jordan. */
function normalEquations(columns: number[][], y: number[]): { beta: number[]; cov: number[][]; rss: number } {
  const n = y.length;
  const X = y.map((_, i) => [1, ...columns.map((c) => c[i])]);
  const k = X[0].length;
  const xtx = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => X.reduce((s, row) => s + row[a] * row[b], 0)));
  const xty = Array.from({ length: k }, (_, a) => X.reduce((s, row, i) => s + row[a] * y[i], 0));
  // Gauss-Jordan on [XᵀX | I | Xᵀy] with partial pivoting.
  const m = xtx.map((row, a) => [...row, ...Array.from({ length: k }, (_, b) => (a === b ? 1 : 0)), xty[a]]);
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    const div = m[c][c];
    m[c] = m[c].map((v) => v / div);
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c];
      m[r] = m[r].map((v, j) => v - f * m[c][j]);
    }
  }
  const beta = m.map((row) => row[2 * k]);
  const inv = m.map((row) => row.slice(k, 2 * k));
  const rss = X.reduce((s, row, i) => s + (y[i] - row.reduce((t, x, j) => t + x * beta[j], 0)) ** 2, 0);
  const sigma2 = rss / (n - k);
  return { beta, cov: inv.map((row) => row.map((v) => v * sigma2)), rss };
}

function rng(seed: number): () => number {
  return seededRandom(seed).uniform;
}

function fitOf(columns: number[][], y: number[]): LeastSquaresFit {
  const out = leastSquares(columns, y);
  if (isSingular(out)) throw new Error(`unexpectedly singular at column ${out.singularColumn}`);
  return out;
}

describe('leastSquares', () => {
  it('recovers an exact line', () => {
    const x = [1, 2, 3, 4, 5, 6];
    const fit = fitOf([x], x.map((v) => 3 + 2 * v));
    expect(fit.intercept).toBeCloseTo(3, 10);
    expect(fit.coefficients[0]).toBeCloseTo(2, 10);
    expect(fit.rss).toBeCloseTo(0, 10);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.dof).toBe(4);
  });

  it('matches the closed form of simple regression (a textbook example)', () => {
    // Anscombe's first quartet: slope 0.5001, intercept 3.0001, r² 0.6665, slope SE 0.1179.
    const x = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
    const y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
    const fit = fitOf([x], y);
    expect(fit.coefficients[0]).toBeCloseTo(0.5001, 4);
    expect(fit.intercept).toBeCloseTo(3.0001, 4);
    expect(fit.r2).toBeCloseTo(0.6665, 4);
    expect(fit.standardErrors[0]).toBeCloseTo(0.1179, 4);
  });

  it('agrees with the normal equations on random designs', () => {
    const next = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 15 + Math.floor(next() * 60);
      const p = 1 + Math.floor(next() * 5);
      const columns = Array.from({ length: p }, () => Array.from({ length: n }, () => next() * 100 - 20));
      const y = columns[0].map((_, i) => 4 + columns.reduce((s, c, j) => s + (j + 1) * 0.3 * c[i], 0) + (next() - 0.5) * 30);
      const fit = fitOf(columns, y);
      const ref = normalEquations(columns, y);
      expect(fit.intercept).toBeCloseTo(ref.beta[0], 6);
      fit.coefficients.forEach((b, j) => expect(b).toBeCloseTo(ref.beta[j + 1], 8));
      fit.standardErrors.forEach((se, j) => expect(se).toBeCloseTo(Math.sqrt(ref.cov[j + 1][j + 1]), 8));
      expect(fit.rss / ref.rss).toBeCloseTo(1, 9);
    }
  });

  it('refuses a column that never varies and names it', () => {
    const out = leastSquares([[1, 2, 3, 4], [0.1, 0.1, 0.1, 0.1]], [1, 2, 3, 5]);
    expect(out).toEqual({ singularColumn: 1, constant: true });
  });

  it('refuses exactly collinear columns', () => {
    const x = [1, 4, 2, 8, 5, 7];
    const out = leastSquares([x, x.map((v) => 3 * v - 2)], [1, 2, 3, 4, 5, 6]);
    expect(out).toEqual({ singularColumn: 1, constant: false });
  });

  it('reports variance inflation: 1 for orthogonal columns, large for nearly collinear ones', () => {
    const a = [1, -1, 1, -1, 1, -1, 1, -1];
    const b = [1, 1, -1, -1, 1, 1, -1, -1];
    varianceInflation([a, b]).forEach((v) => expect(v).toBeCloseTo(1, 12));
    const next = rng(3);
    const x = Array.from({ length: 50 }, () => next());
    const near = x.map((v) => 2 * v + (next() - 0.5) * 1e-3);
    expect(Math.min(...varianceInflation([x, near]))).toBeGreaterThan(1000);
    expect(varianceInflation([x, x])).toEqual([Infinity, Infinity]);
  });

  it('stays accurate on large, offset values (no normal-equations squaring of the condition)', () => {
    const x = Array.from({ length: 40 }, (_, i) => 1e7 + i);
    const y = x.map((v, i) => 5 + 0.25 * v + (i % 2 ? 0.01 : -0.01));
    const fit = fitOf([x], y);
    // The alternating ±0.01 leans with x: Σ(x - x̄)e = 0.2 over Σ(x - x̄)² = 5330.
    expect(fit.coefficients[0]).toBeCloseTo(0.25 + 0.2 / 5330, 9);
  });
});
