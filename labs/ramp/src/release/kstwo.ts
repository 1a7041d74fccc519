// scipy.stats.kstwo.sf(x, n): the survival function of the two-sided one-sample
// Kolmogorov–Smirnov statistic D_n, which scipy's ks_2samp uses for its asymptotic p-value (with
// n = round(n1·n2/(n1+n2))). A port of scipy 1.10's scipy/stats/_ksstats.py (_kolmogn and the
// methods it chooses between, after Simard & L'Ecuyer 2011: Ruben–Gambino's exact formulas, the
// Durbin matrix as Marsaglia–Tsang–Wang compute it, Pomeranz's recursion, the Pelz–Good
// expansion) and of cephes' smirnov (scipy/special/cephes/kolmogorov.c), in double precision
// where scipy uses double-double or long double in places. Tests: ks-pvalue.test.ts against
// scipy on a grid that reaches every branch.

import { durbinCdf, pomeranzCdf } from './kstwo-exact.ts';
import { smirnovSf } from './smirnov.ts';

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** P(D_n ≥ x), as scipy.stats.kstwo.sf(x, n) (scipy's _kolmogn(n, x, cdf=False)). */
export function kstwoSf(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: 1/2n ≤ x ≤ 1/n
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n); // Ruben–Gambino
  if (x >= 0.5) return clip(2 * smirnovSf(n, x)); // exact: twice the one-sided tail
  const nxx = t * x;
  if (n <= 140) {
    if (nxx <= 0.754693) return clip(1 - durbinCdf(n, x));
    if (nxx <= 4) return clip(1 - pomeranzCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nxx >= 370) return 0;
  if (nxx >= 2.2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

const STIRLING = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2];

/** log(n! / n^n) by Stirling's series, with n·log n taken out first (no cancellation). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

const PI2 = Math.PI ** 2, PI4 = Math.PI ** 4, PI6 = Math.PI ** 6;
const SQRT2PI = Math.sqrt(2 * Math.PI);

/**
 * P(D_n ≤ x) by the Pelz–Good expansion: the Li-Chien/Korolyuk series K0 + K1/√n + K2/n + K3/n^1.5
 * transformed with Jacobi theta functions for small z = x·√n (scipy's _kolmogn_PelzGood).
 */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1 = [-z2, PI2 / 4];
  const k2 = [6 * z6 + 2 * z4, ((2 * z4 - 5 * z2) * PI2) / 4, (PI4 * (1 - 2 * z2)) / 16];
  const k3 = [-30 * z6 - 90 * z ** 8, (PI2 * (135 * z4 - 96 * z6)) / 4, (PI4 * (-60 * z2 + 212 * z4)) / 16, (PI6 * (5 - 30 * z2)) / 64];
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1[0]! + k1[1]! * m2, k2[0]! + k2[1]! * m2 + k2[2]! * m4, k3[0]! + k3[1]! * m2 + k3[2]! * m4 + k3[3]! * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!;
  }
  const den = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / den[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  let s2 = 0, s3 = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const qk = q ** (k * k);
    s2 += k * k * qk;
    s3 += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k * k * qk;
  }
  K[2]! += (s2 * PI2 * SQRT2PI) / (-36 * z3);
  K[3]! += (s3 * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}
