// smirnov(n, x) = P(D_n+ ≥ x), the one-sided one-sample Kolmogorov–Smirnov tail, as cephes
// computes it for scipy 1.10 (scipy/special/cephes/kolmogorov.c, _smirnov): the Birnbaum–Tingey
// sum x·Σ_j C(n, j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j), or the complementary sum from the top
// when it has fewer terms, stopped once the terms no longer matter. cephes carries double-double
// precision; here each term is formed in logarithms from exactly split n·x = ⌊nx⌋ + α, which
// keeps the bases exact to a rounding and every term to ~1e-13.

const MINLOG = -7.451332191019412076235e2; // log(2^-1075)
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const EPS = 2 ** -52;

/** P(D_n+ ≥ x) (scipy.special.smirnov). */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const [nxfl, alpha] = splitNx(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) { n1mxfl -= 1; n1mxceil += 1; }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return clip(1 - x * (1 + x) ** (n - 1));
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip((1 - x) ** n);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  const upperTerms = n - n1mxceil + 1;
  const upper = (upperTerms <= 1 && x < 0.5) || (n >= 10 && upperTerms <= 3 && x <= 0.5 / Math.sqrt(n));
  const sum = upper ? termSum(n, x, nxfl, alpha, n, -1, upperTerms) : termSum(n, x, nxfl, alpha, 0, 1, n1mxfl + 1);
  const prob = x * sum;
  return clip(upper ? 1 - prob : prob);
}

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/**
 * Σ over v = start, start + step, … (terms of them) of C(n, v)·(x + v/n)^(v−1)·(1 − x − v/n)^(n−v),
 * with cephes' stopping rule. x + v/n = (⌊nx⌋ + α + v)/n and 1 − x − v/n = (n − ⌊nx⌋ − v − α)/n,
 * which is negative in the sum from the top: its terms alternate in sign, as in cephes.
 */
function termSum(n: number, x: number, nxfl: number, alpha: number, start: number, step: number, terms: number): number {
  // C(n, j) as cman·2^cexp (it is C(n, v) too, v being j or n − j): a running sum of logarithms
  // would round at the size of log C (10⁴ and more) and lose the term's last digits.
  let cman = 1, cexp = 0;
  let sum = 0;
  const vmid = Math.floor(n / 2);
  for (let j = 0; j < terms; j++) {
    const v = start + j * step;
    const up = (nxfl + alpha + v) / n;
    const rest = (nxfl + v + alpha) / n; // 1 − down
    let a: number;
    if (j === 0) a = step > 0 ? Math.exp(n * Math.log1p(-rest)) / x : Math.exp((n - 1) * Math.log(up));
    else {
      const sign = rest > 1 && (n - v) % 2 ? -1 : 1;
      const logDown = rest > 1 ? Math.log(rest - 1) : Math.log1p(-rest);
      a = sign * Math.exp(Math.log(cman) + cexp * Math.LN2 + (v - 1) * Math.log(up) + (n - v) * logDown);
    }
    if (Number.isFinite(a) && a !== 0) sum += a;
    if (a !== 0) {
      if (4 * (terms - j) * Math.abs(a) < EPS * sum && j !== terms - 1) break;
    } else if (j > vmid) break;
    cman *= (n - j) / (j + 1);
    if (cman > 2 ** 300) { cman *= 2 ** -300; cexp += 300; } else if (cman < 2 ** -300) { cman *= 2 ** 300; cexp -= 300; }
  }
  return sum;
}

/** ⌊n·x⌋ and n·x − ⌊n·x⌋, from the exact product n·x (Dekker's two-product). */
function splitNx(n: number, x: number): [number, number] {
  const p = n * x;
  const e = twoProductError(n, x, p);
  let fl = Math.floor(p);
  if (fl === p && e < 0) fl -= 1;
  let alpha = p - fl + e;
  if (alpha >= 1) { fl += 1; alpha = 0; }
  if (alpha < 0) alpha = 0;
  return [fl, alpha];
}

function twoProductError(a: number, b: number, p: number): number {
  const split = (v: number): [number, number] => {
    const c = 134217729 * v; // 2^27 + 1
    const hi = c - (c - v);
    return [hi, v - hi];
  };
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
