// Exact methods for P(D_n ≤ d), the two-sided one-sample Kolmogorov–Smirnov CDF, ported from
// scipy 1.10's scipy/stats/_ksstats.py for kstwo.ts: Durbin's matrix as Marsaglia, Tsang & Wang
// compute it, and Pomeranz's recursion. Both rescale by 2^128 to stay within double range.

const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** P(D_n ≤ d) by Durbin's matrix, computed as Marsaglia, Tsang & Wang do (scipy's _kolmogn_DMTW). */
export function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H = durbinMatrix(m, h);
  let pw = identity(m);
  let expnt = 0, hExpnt = 0;
  for (let nn = n; nn > 0; nn = Math.floor(nn / 2)) {
    if (nn % 2) { pw = matmul(pw, H, m); expnt += hExpnt; }
    H = matmul(H, H, m);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + k - 1]!) > EP128) {
      for (let i = 0; i < H.length; i++) H[i]! /= EP128;
      hExpnt += 128;
    }
  }
  let p = pw[(k - 1) * m + k - 1]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) { p *= EP128; expnt -= 128; }
  }
  return clip(p * 2 ** expnt);
}

function durbinMatrix(m: number, h: number): Float64Array {
  const H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;
  return H;
}

function identity(m: number): Float64Array {
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) a[i * m + i] = 1;
  return a;
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const x = a[i * m + l]!;
      if (x === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j]! += x * b[l * m + j]!;
    }
  }
  return c;
}

/** P(D_n ≤ x) by Pomeranz's recursion (scipy's _kolmogn_Pomeranz), for n ≤ 140. */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0, roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gp = poissonish(npwrs, g / n), twogp = poissonish(npwrs, (2 * g) / n), onem2gp = poissonish(npwrs, (1 - 2 * g) / n);
  let V0 = new Float64Array(npwrs), V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0, V1s = 0, expnt = 0;
  let [j1] = pomeranzRange(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    let j2: number;
    [j1, j2] = pomeranzRange(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 ? twogp : onem2gp;
    const len = j2 - k1 + 1;
    if (len <= 0) continue;
    const conv = convolve(V0.subarray(k1 - V0s, k1 - V0s + len), pw.subarray(0, len));
    V1.set(conv.subarray(j1 - k1, j2 + 1 - k1));
    let max = 0;
    for (const v of V1) max = Math.max(max, v);
    if (max > 0 && max < EM128) { for (let q = 0; q < V1.length; q++) V1[q]! *= EP128; expnt -= 128; }
    V1s = V0s + j1 - k1;
  }
  let ans = V1[n - V1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) { ans *= EM128; expnt += 128; }
    ans *= m;
  }
  return clip(ans * 2 ** expnt);
}

/** (a^m / m!) for m < len: Poisson probabilities without their normalising factor. */
function poissonish(len: number, a: number): Float64Array {
  const p = new Float64Array(len);
  p[0] = 1;
  for (let m = 1; m < len; m++) p[m] = (p[m - 1]! * a) / m;
  return p;
}

/** The non-zero stretch [j1, j2] of row i (scipy's _pomeranz_compute_j1j2). */
function pomeranzRange(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number, j2: number;
  if (i === 0) [j1, j2] = [-ll - ceilf - 1, ll + ceilf - 1];
  else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) [j1, j2] = [n - ll - ceilf - 1, n + ll + ceilf - 1];
      else [j1, j2] = [half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1];
    } else [j1, j2] = [half - 1 - ll - 1, half + ll + roundf - 1];
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** np.convolve(a, b): the full discrete convolution. */
function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) c[i + j]! += a[i]! * b[j]!;
  return c;
}
