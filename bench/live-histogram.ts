/** Latencies in 0.1 ms steps up to 60 s: a histogram, so millions of samples cost nothing. */
export class Histogram {
  private readonly counts = new Uint32Array(600_001);
  n = 0;
  max = 0;
  add(ms: number): void {
    const v = Math.max(0, ms);
    this.counts[Math.min(this.counts.length - 1, Math.round(v * 10))]++;
    this.n++;
    if (v > this.max) this.max = v;
  }
  /** The non-empty steps, as [step, count]. */
  sparse(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.counts.forEach((c, i) => c && out.push([i, c]));
    return out;
  }

  /** Adds another histogram's sparse steps. */
  merge(sparse: Array<[number, number]>): this {
    for (const [i, c] of sparse) {
      this.counts[i] += c;
      this.n += c;
      this.max = Math.max(this.max, i / 10);
    }
    return this;
  }

  /** Quantiles and max, in ms. */
  summary(): { p50: number; p90: number; p99: number; max: number; n: number } {
    return { p50: this.quantile(0.5), p90: this.quantile(0.9), p99: this.quantile(0.99), max: this.max, n: this.n };
  }

  quantile(q: number): number {
    const target = Math.ceil(q * this.n);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= target && seen > 0) return i / 10;
    }
    return NaN;
  }
}
