// The two-sample Kolmogorov–Smirnov p-value, two-sided, as scipy 1.10's ks_2samp computes it by
// default (method='auto'): exact when neither sample has more than EXACT_MAX_N values, else
// asymptotic, from the one-sample distribution kstwo at n = round(n·m/(n+m)) (kstwo.ts). The
// exact methods are ports of scipy/stats/_stats_py.py (_attempt_exact_2kssamp,
// _compute_prob_outside_square) and _stats_pythran.py (_compute_outer_prob_inside_method), which
// follow Hodges (1958) and, for the recursion on 1 − p, Viehmann (2021, arXiv:2102.08037).
// Tests: test/unit/ramp/ks-pvalue.test.ts against test/fixtures/release/ks-cases.json
// (make_drift_cases.py).
import { kstwoSf } from './kstwo.ts';

/** scipy's MAX_AUTO_N: 'auto' is exact when both samples have at most this many values. */
export const EXACT_MAX_N = 10_000;

/** ks_2samp(method='asymp').pvalue: kstwo.sf(d, round(n·m/(n+m))), rounding half to even as numpy. */
export function ksAsymptoticPValue(d: number, n: number, m: number): number {
  const en = (n * m) / (n + m);
  let r = Math.round(en);
  if (r - en === 0.5 && r % 2) r -= 1;
  return kstwoSf(r, d);
}

/** ks_2samp(method='auto').pvalue for a statistic d between samples of n and m values. */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) throw new RangeError(`KS p-value: sample sizes must be positive, got ${n} and ${m}`);
  if (Math.max(n, m) <= EXACT_MAX_N) {
    const p = ksExactPValue(d, n, m);
    if (p !== null) return p;
  }
  return Math.max(0, Math.min(1, ksAsymptoticPValue(d, n, m)));
}

/**
 * The exact two-sided p-value P(D ≥ d) under the null hypothesis (scipy's
 * _attempt_exact_2kssamp), or null where it fails (a result outside [0, 1], as rounding can give
 * for tiny samples), and the asymptotic one is used, as scipy does.
 */
export function ksExactPValue(d: number, n: number, m: number): number | null {
  const g = gcd(n, m);
  const lcm = (n / g) * m;
  const h = Math.round(d * lcm);
  if (h === 0) return 1;
  const p = n === m ? probOutsideSquare(n, h) : outerProbInside(n, m, g, h);
  return p >= 0 && p <= 1 ? p : null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * P(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n−kh)/C(2n, n), evaluated Horner-like on ratios of
 * binomials to avoid cancellation (scipy's _compute_prob_outside_square).
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m − y/n| < h/lcm(m, n),
 * by the inside method on one sliding column, computing 1 − p directly (scipy's
 * _compute_outer_prob_inside_method).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g, ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const a = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj, lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj]! * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1]!;
}
