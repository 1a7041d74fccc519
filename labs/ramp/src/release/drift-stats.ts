// Drift statistics, matched to scipy 1.10 (tests: test/unit/ramp/drift-stats.test.ts against
// test/fixtures/release/expected.json and metric-cases.json). Numeric samples are sorted
// Float64Arrays without NaN; categorical ones are count maps.

/** Two-sample Kolmogorov–Smirnov statistic D = max |F_ref(x) − F_cur(x)| (scipy.stats.ks_2samp). */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  let i = 0, j = 0, d = 0;
  const n = a.length, m = b.length;
  while (i < n && j < m) {
    const x = a[i]! <= b[j]! ? a[i]! : b[j]!;
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/** scipy.stats.kstwobign.sf(x): the limiting Kolmogorov distribution's survival function. */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1) {
    // cdf = sqrt(2π)/x Σ exp(−(2k−1)²π²/(8x²))
    const w = -(Math.PI * Math.PI) / (8 * x * x);
    let s = 0;
    for (let k = 1; k < 50; k++) {
      const t = Math.exp((2 * k - 1) ** 2 * w);
      s += t;
      if (t < 1e-300) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / x) * s;
  }
  let s = 0;
  for (let k = 1; k < 100; k++) {
    const t = Math.exp(-2 * k * k * x * x);
    s += (k % 2 ? 1 : -1) * t;
    if (t < 1e-300) break;
  }
  return Math.max(0, Math.min(1, 2 * s));
}

/** The KS p-value from the asymptotic distribution, with n·m/(n+m) as the effective size. */
export function ksPValue(d: number, n: number, m: number): number {
  return kolmogorovSf(d * Math.sqrt((n * m) / (n + m)));
}

/** scipy.stats.wasserstein_distance of two sorted samples: ∫|F_a − F_b| dx. */
export function wasserstein(a: Float64Array, b: Float64Array): number {
  let i = 0, j = 0, s = 0;
  const n = a.length, m = b.length;
  let prev = Math.min(a[0]!, b[0]!);
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    s += Math.abs(i / n - j / m) * (x - prev);
    prev = x;
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
  }
  return s;
}

/** Population standard deviation (np.std, ddof=0). */
export function std(a: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i]!;
  mean /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  return Math.sqrt(v / a.length);
}

/** np.quantile(sorted, q) with the default 'linear' method and numpy's _lerp. */
export function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The inner bin edges PSI uses: the reference's deciles, duplicates removed. */
export function psiEdges(ref: Float64Array, bins = 10): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantile(ref, k / bins);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Counts per bin: a value equal to an edge falls in the bin below it (np.searchsorted, side left). */
export function binCounts(sorted: Float64Array, edges: number[]): Float64Array {
  const c = new Float64Array(edges.length + 1);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (b < edges.length && edges[b]! < sorted[i]!) b++;
    c[b]!++;
  }
  return c;
}

/** Population stability index Σ (c − r)·ln(c / r) over shares, each share at least eps. */
export function psi(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>, eps = 1e-4): number {
  let nr = 0, nc = 0;
  for (let i = 0; i < refCounts.length; i++) { nr += refCounts[i]!; nc += curCounts[i]!; }
  let s = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const r = Math.max(refCounts[i]! / nr, eps);
    const c = Math.max(curCounts[i]! / nc, eps);
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

/** scipy.spatial.distance.jensenshannon(p, q, base=2) on two count vectors. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0, sq = 0;
  for (let i = 0; i < p.length; i++) { sp += p[i]!; sq += q[i]!; }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp, b = q[i]! / sq, m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, js / Math.LN2 / 2));
}

/** scipy.stats.chi2_contingency on the 2×k table [ref; cur] (Yates' correction when dof is 1). */
export function chiSquare(ref: ArrayLike<number>, cur: ArrayLike<number>): { statistic: number; pvalue: number; dof: number } {
  const k = ref.length;
  const dof = k - 1;
  if (dof === 0) return { statistic: 0, pvalue: 1, dof };
  let nr = 0, nc = 0;
  for (let i = 0; i < k; i++) { nr += ref[i]!; nc += cur[i]!; }
  const total = nr + nc;
  let stat = 0;
  for (const [row, rowSum] of [[ref, nr], [cur, nc]] as const) {
    for (let i = 0; i < k; i++) {
      const expected = (rowSum * (ref[i]! + cur[i]!)) / total;
      let obs = row[i]!;
      if (dof === 1) {
        const diff = expected - obs;
        obs += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += (obs - expected) ** 2 / expected;
    }
  }
  return { statistic: stat, pvalue: chi2Sf(stat, dof), dof };
}

/** scipy.stats.chi2.sf(x, dof): the regularised upper incomplete gamma Q(dof/2, x/2). */
export function chi2Sf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return gammaQ(dof / 2, x / 2);
}

function gammaQ(a: number, x: number): number {
  if (x < a + 1) return 1 - gammaPSeries(a, x);
  // Lentz's continued fraction for Q.
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b; if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

function gammaPSeries(a: number, x: number): number {
  let ap = a, sum = 1 / a, del = sum;
  for (let n = 0; n < 1000; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * 1e-17) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(a) (Lanczos, g = 7); exact enough for the half-integer arguments chi2 needs. */
export function logGamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - logGamma(1 - a);
  const z = a - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
