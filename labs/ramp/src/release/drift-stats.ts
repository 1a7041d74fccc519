// Drift statistics, matched to scipy 1.10 (tests: test/unit/ramp/release-metrics.test.ts and
// drift.test.ts against test/fixtures/release/). Numeric samples are sorted, without NaN: every
// value (a Float64Array), or a quantile sketch's distinct values with cumulative counts; the
// statistics are then those of the distribution the sketch stands for. Categorical samples are
// count vectors.

/** Distinct values in increasing order with the cumulative count up to each (a sketch's view). */
export interface Weighted { x: Float64Array; cum: Float64Array }
/** A sorted sample: every value (ties repeated), or distinct values with cumulative counts. */
export type Sorted = Float64Array | Weighted;

interface View { x: Float64Array; cum: Float64Array | null; n: number }

function view(s: Sorted): View {
  if (s instanceof Float64Array) return { x: s, cum: null, n: s.length };
  return { x: s.x, cum: s.cum, n: s.cum.length ? s.cum[s.cum.length - 1]! : 0 };
}

/** How many values lie before index i (i being just past a run of equal values). */
const below = (s: View, i: number): number => (s.cum ? (i ? s.cum[i - 1]! : 0) : i);

/** Two-sample Kolmogorov–Smirnov statistic D = max |F_ref(x) − F_cur(x)| (scipy.stats.ks_2samp). */
export function ksStatistic(a: Sorted, b: Sorted): number {
  const A = view(a), B = view(b);
  const n = A.x.length, m = B.x.length;
  let i = 0, j = 0, d = 0;
  while (i < n && j < m) {
    const x = A.x[i]! <= B.x[j]! ? A.x[i]! : B.x[j]!;
    while (i < n && A.x[i] === x) i++;
    while (j < m && B.x[j] === x) j++;
    d = Math.max(d, Math.abs(below(A, i) / A.n - below(B, j) / B.n));
  }
  return d;
}

/** scipy.stats.wasserstein_distance of two sorted samples: ∫|F_a − F_b| dx. */
export function wasserstein(a: Sorted, b: Sorted): number {
  const A = view(a), B = view(b);
  const n = A.x.length, m = B.x.length;
  let i = 0, j = 0, s = 0;
  let prev = Math.min(A.x[0]!, B.x[0]!);
  while (i < n || j < m) {
    const x = j >= m || (i < n && A.x[i]! <= B.x[j]!) ? A.x[i]! : B.x[j]!;
    s += Math.abs(below(A, i) / A.n - below(B, j) / B.n) * (x - prev);
    prev = x;
    while (i < n && A.x[i] === x) i++;
    while (j < m && B.x[j] === x) j++;
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

/** The value at 0-based rank r (the (r+1)-th smallest). */
function orderStatistic(s: View, r: number): number {
  if (!s.cum) return s.x[r]!;
  let lo = 0, hi = s.cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.cum[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return s.x[lo]!;
}

/** np.quantile(sorted, q) with the default 'linear' method and numpy's _lerp. */
export function quantile(sorted: Sorted, q: number): number {
  const s = view(sorted);
  const h = (s.n - 1) * q;
  const lo = Math.floor(h);
  const t = h - lo;
  const a = orderStatistic(s, lo);
  const b = orderStatistic(s, Math.min(lo + 1, s.n - 1));
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The inner bin edges PSI uses: the reference's deciles, duplicates removed. */
export function psiEdges(ref: Sorted, bins = 10): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantile(ref, k / bins);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Counts per bin: a value equal to an edge falls in the bin below it (np.searchsorted, side left). */
export function binCounts(sorted: Sorted, edges: number[]): Float64Array {
  const s = view(sorted);
  const c = new Float64Array(edges.length + 1);
  let b = 0;
  for (let i = 0; i < s.x.length; i++) {
    while (b < edges.length && edges[b]! < s.x[i]!) b++;
    c[b]! += s.cum ? s.cum[i]! - below(s, i) : 1;
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
