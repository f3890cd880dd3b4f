// Ordinary least squares with an intercept, by Householder QR on centred, unit-norm columns.
// Pure: no I/O. Centring removes the intercept from the factorisation; scaling each column to unit
// norm makes R's diagonal a direct collinearity measure (|R_jj|² = 1 - R² of column j on the
// columns before it) and (RᵀR)⁻¹ the inverse correlation matrix, whose diagonal is the VIF.

/** Below this |R_jj| a column is taken as a linear combination of the others (R² > 1 - 1e-16). */
export const SINGULAR_TOLERANCE = 1e-8;

/** A QR factorisation of centred, unit-norm columns. */
export interface Decomposition {
  n: number;
  p: number;
  means: number[];
  /** Norm of each centred column (0 for a column that never varies). */
  scales: number[];
  /** Householder vectors and R, column-major: a[j][i], R above the diagonal (i <= j). */
  a: number[][];
  /** Index of the first column that is constant or a combination of earlier ones, or -1. */
  singularColumn: number;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Applies the Householder reflection stored below the diagonal of column k (with R_kk) to `col`. */
function reflect(v: readonly number[], k: number, vkk: number, col: number[]): void {
  let dot = vkk * col[k];
  let norm2 = vkk * vkk;
  for (let i = k + 1; i < col.length; i++) {
    dot += v[i] * col[i];
    norm2 += v[i] * v[i];
  }
  if (norm2 === 0) return;
  const s = (2 * dot) / norm2;
  col[k] -= s * vkk;
  for (let i = k + 1; i < col.length; i++) col[i] -= s * v[i];
}

/**
 * Factorises the centred, unit-norm columns. A constant column, or one within
 * SINGULAR_TOLERANCE of the span of the earlier ones, sets `singularColumn` and stops.
 */
export function decompose(columns: ReadonlyArray<readonly number[]>): Decomposition & { householder: number[] } {
  const p = columns.length;
  const n = p ? columns[0].length : 0;
  const means = columns.map(mean);
  const scales: number[] = [];
  const a = columns.map((c, j) => {
    const centred = c.map((x) => x - means[j]);
    let norm2 = 0;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      norm2 += centred[i] * centred[i];
      largest = Math.max(largest, Math.abs(c[i]));
    }
    // Centring a constant column can leave rounding dust; below this it never varied.
    const norm = Math.sqrt(norm2) <= 1e-12 * largest * Math.sqrt(n) ? 0 : Math.sqrt(norm2);
    scales.push(norm);
    return norm > 0 ? centred.map((x) => x / norm) : centred;
  });
  // householder[k]: the k-th entry of the k-th Householder vector (the rest sits below R_kk in a[k]).
  const householder: number[] = new Array(p).fill(0);
  let singularColumn = -1;
  for (let k = 0; k < p; k++) {
    const col = a[k];
    if (scales[k] === 0 || !Number.isFinite(scales[k])) {
      singularColumn = k;
      break;
    }
    let norm2 = 0;
    for (let i = k; i < n; i++) norm2 += col[i] * col[i];
    const norm = Math.sqrt(norm2);
    if (norm < SINGULAR_TOLERANCE) {
      singularColumn = k;
      break;
    }
    const alpha = col[k] > 0 ? -norm : norm;
    householder[k] = col[k] - alpha;
    col[k] = alpha; // R_kk; entries below stay as the Householder vector's tail
    for (let j = k + 1; j < p; j++) reflect(col, k, householder[k], a[j]);
  }
  return { n, p, means, scales, a, singularColumn, householder };
}

/** Solves R x = b (R upper triangular, column-major in `a`) by back substitution. */
function backSolve(a: readonly number[][], b: readonly number[], p: number): number[] {
  const x = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < p; j++) s -= a[j][i] * x[j];
    x[i] = s / a[i][i];
  }
  return x;
}

/** Diagonal of (RᵀR)⁻¹: with unit-norm centred columns, each column's variance inflation factor. */
function inverseDiagonal(a: readonly number[][], p: number): number[] {
  const diag = new Array<number>(p).fill(0);
  // Columns of R⁻¹ by back substitution on the unit vectors; (RᵀR)⁻¹ = R⁻¹R⁻ᵀ.
  for (let k = 0; k < p; k++) {
    const e = new Array<number>(p).fill(0);
    e[k] = 1;
    const col = backSolve(a, e, p);
    for (let j = 0; j < p; j++) diag[j] += col[j] * col[j];
  }
  return diag;
}

/** Variance inflation factor of each column (1 / (1 - R² on the others)); Infinity for a singular design. */
export function varianceInflation(columns: ReadonlyArray<readonly number[]>): number[] {
  const d = decompose(columns);
  if (d.singularColumn >= 0) return columns.map(() => Infinity);
  return inverseDiagonal(d.a, d.p);
}

/** A least-squares fit of y = intercept + Σ coefficients[j]·x_j + e. */
export interface LeastSquaresFit {
  n: number;
  intercept: number;
  coefficients: number[];
  /** Standard errors of the coefficients: sqrt of the diagonal of σ²(XᵀX)⁻¹ on centred columns. */
  standardErrors: number[];
  /** Residual sum of squares. */
  rss: number;
  /** Total sum of squares of y about its mean. */
  tss: number;
  /** 1 - rss/tss (NaN when y never varies). */
  r2: number;
  /** Residual degrees of freedom, n - p - 1. */
  dof: number;
  /** Residual standard error sqrt(rss/dof) (NaN without residual degrees of freedom). */
  sigma: number;
  /** Variance inflation factor of each column. */
  vif: number[];
}

/** Why a design cannot be fitted: a column that never varies or one that the others explain. */
export interface SingularDesign {
  singularColumn: number;
  constant: boolean;
}

/**
 * Fits y on the columns (each of y's length) with an intercept. Returns SingularDesign instead when
 * a column is constant or a linear combination of the earlier ones (no least-squares answer is unique).
 */
export function leastSquares(columns: ReadonlyArray<readonly number[]>, y: readonly number[]): LeastSquaresFit | SingularDesign {
  const n = y.length;
  for (const c of columns) if (c.length !== n) throw new Error('every column must have as many rows as y');
  const d = decompose(columns);
  if (d.singularColumn >= 0) return { singularColumn: d.singularColumn, constant: d.scales[d.singularColumn] === 0 };
  const p = d.p;
  const yMean = mean(y);
  const qty = y.map((v) => v - yMean);
  for (let k = 0; k < p; k++) reflect(d.a[k], k, d.householder[k], qty);
  const scaled = backSolve(d.a, qty, p);
  const coefficients = scaled.map((b, j) => b / d.scales[j]);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= coefficients[j] * d.means[j];
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    let fitted = intercept;
    for (let j = 0; j < p; j++) fitted += coefficients[j] * columns[j][i];
    rss += (y[i] - fitted) ** 2;
    tss += (y[i] - yMean) ** 2;
  }
  const dof = n - p - 1;
  const sigma = dof > 0 ? Math.sqrt(rss / dof) : NaN;
  const vif = inverseDiagonal(d.a, p);
  return {
    n,
    intercept,
    coefficients,
    standardErrors: vif.map((v, j) => (sigma * Math.sqrt(v)) / d.scales[j]),
    rss,
    tss,
    r2: tss > 0 ? 1 - rss / tss : NaN,
    dof,
    sigma,
    vif,
  };
}

/** Narrows a fit outcome. */
export function isSingular(outcome: LeastSquaresFit | SingularDesign): outcome is SingularDesign {
  return 'singularColumn' in outcome;
}
