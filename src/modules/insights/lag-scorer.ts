// Scores lag combinations for the search: the residual sum of squares of each candidate from
// cross-products of the centred, unit-norm lagged columns, computed once per pair of columns and
// cached, then a p×p Cholesky per candidate. Pure. The reported fit is always refitted by QR.
import { SINGULAR_TOLERANCE } from './least-squares.js';

/** One driver's values at one lag over the common rows, centred and scaled to unit norm. */
interface Column {
  values: Float64Array;
  /** Norm before scaling; 0 when the column never varies. */
  norm: number;
  /** Its cross-product with the centred target. */
  withY: number;
}

export interface LagScorer {
  /** RSS of the candidate, or null when a column is constant, (nearly) a combination of the others, or its VIF exceeds maxVif. */
  score(lags: readonly number[]): number | null;
  /** Candidates scored so far. */
  readonly fits: number;
}

/**
 * A scorer over `rows` of the target and each driver (rows are bucket indexes; a driver at lag l
 * is read at row - l, which must hold a value for every lag in 0..maxLag).
 */
export function lagScorer(
  target: ReadonlyArray<number | null>,
  drivers: ReadonlyArray<ReadonlyArray<number | null>>,
  rows: readonly number[],
  maxVif: number,
): LagScorer {
  const n = rows.length;
  const y = Float64Array.from(rows, (t) => target[t] as number);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  for (let i = 0; i < n; i++) y[i] -= yMean;
  const yy = y.reduce((s, v) => s + v * v, 0);
  const columns = new Map<number, Column>();
  const products = new Map<number, number>();
  const stride = 1 << 16;
  const columnOf = (j: number, lag: number): Column => {
    const id = j * 64 + lag;
    let c = columns.get(id);
    if (!c) {
      const values = Float64Array.from(rows, (t) => drivers[j][t - lag] as number);
      const mean = values.reduce((s, v) => s + v, 0) / n;
      let norm2 = 0;
      let largest = 0;
      for (let i = 0; i < n; i++) {
        largest = Math.max(largest, Math.abs(values[i]));
        values[i] -= mean;
        norm2 += values[i] * values[i];
      }
      const norm = Math.sqrt(norm2) <= 1e-12 * largest * Math.sqrt(n) ? 0 : Math.sqrt(norm2);
      let withY = 0;
      if (norm > 0) for (let i = 0; i < n; i++) withY += (values[i] /= norm) * y[i];
      c = { values, norm, withY };
      columns.set(id, c);
    }
    return c;
  };
  const product = (a: number, la: number, b: number, lb: number): number => {
    const [x, y2] = a * 64 + la <= b * 64 + lb ? [a * 64 + la, b * 64 + lb] : [b * 64 + lb, a * 64 + la];
    const key = x * stride + y2;
    let v = products.get(key);
    if (v === undefined) {
      const ca = columnOf(a, la).values;
      const cb = columnOf(b, lb).values;
      v = 0;
      for (let i = 0; i < n; i++) v += ca[i] * cb[i];
      products.set(key, v);
    }
    return v;
  };
  let fits = 0;
  return {
    get fits() {
      return fits;
    },
    score(lags) {
      fits++;
      const p = lags.length;
      if (lags.some((l, j) => columnOf(j, l).norm === 0)) return null;
      // Cholesky of the correlation matrix A = LLᵀ; L_kk² = 1 - R² of column k on the ones before it.
      const L = Array.from({ length: p }, () => new Float64Array(p));
      for (let i = 0; i < p; i++) {
        for (let k = 0; k <= i; k++) {
          let s = i === k ? 1 : product(i, lags[i], k, lags[k]);
          for (let m = 0; m < k; m++) s -= L[i][m] * L[k][m];
          if (i === k) {
            if (s <= SINGULAR_TOLERANCE * SINGULAR_TOLERANCE) return null;
            L[i][i] = Math.sqrt(s);
          } else L[i][k] = s / L[k][k];
        }
      }
      // RSS = yᵀy - ‖L⁻¹b‖², b the columns' cross-products with y.
      const z = new Float64Array(p);
      let explained = 0;
      for (let i = 0; i < p; i++) {
        let s = columnOf(i, lags[i]).withY;
        for (let m = 0; m < i; m++) s -= L[i][m] * z[m];
        z[i] = s / L[i][i];
        explained += z[i] * z[i];
      }
      // VIF_j = (A⁻¹)_jj = ‖column j of L⁻¹‖².
      const vif = new Float64Array(p);
      for (let k = 0; k < p; k++) {
        const e = new Float64Array(p);
        for (let i = k; i < p; i++) {
          let s = i === k ? 1 : 0;
          for (let m = k; m < i; m++) s -= L[i][m] * e[m];
          e[i] = s / L[i][i];
          vif[i] += e[i] * e[i];
        }
      }
      if (vif.some((v) => v > maxVif)) return null;
      return Math.max(0, yy - explained);
    },
  };
}
