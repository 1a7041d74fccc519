// Feature construction and projection: PolynomialFeatures, KBinsDiscretizer, PCA, TruncatedSVD,
// ported from scikit-learn 1.2's transform methods operation by operation.
import { NdArray } from '../numpy.ts';
import type { PyObject } from '../unpickler.ts';
import type { BuildContext, Registry } from './registry.ts';
import { arr, bad, int, nFeaturesOf, optArr } from './state.ts';
import type { Transformer } from './types.ts';

/** sklearn.preprocessing.PolynomialFeatures._transform, dense branch, in the same multiply order. */
function polynomialFeatures(o: PyObject): Transformer {
  const n = nFeaturesOf(o);
  const maxDeg = int(o.state.get('_max_degree'), 'PolynomialFeatures._max_degree');
  const minDeg = int(o.state.get('_min_degree') ?? 0, 'PolynomialFeatures._min_degree');
  const bias = o.state.get('include_bias') !== false;
  const interaction = o.state.get('interaction_only') === true;
  const nOut = int(o.state.get('n_output_features_'), 'PolynomialFeatures.n_output_features_');
  const nFull = o.state.has('_n_out_full') ? int(o.state.get('_n_out_full'), '_n_out_full') : nOut;
  return {
    nIn: n,
    nOut,
    transform: (xc) => {
      const x = xc as ArrayLike<number>;
      const xp = new Float64Array(nFull);
      let col = 0;
      if (bias) xp[col++] = 1;
      if (maxDeg === 0) return xp;
      for (let j = 0; j < n; j++) xp[col + j] = x[j]!;
      let index = Array.from({ length: n }, (_, j) => col + j);
      col += n;
      index.push(col);
      for (let d = 2; d <= maxDeg; d++) {
        const next: number[] = [];
        const end = index[index.length - 1]!;
        for (let f = 0; f < n; f++) {
          let start = index[f]!;
          next.push(col);
          if (interaction) start += index[f + 1]! - index[f]!;
          const nextCol = col + end - start;
          if (nextCol <= col) break;
          for (let k = 0; k < end - start; k++) xp[col + k] = xp[start + k]! * x[f]!;
          col = nextCol;
        }
        next.push(col);
        index = next;
      }
      if (minDeg <= 1) return xp;
      const out = new Float64Array(nOut);
      if (bias) {
        out[0] = 1;
        out.set(xp.subarray(nFull - nOut + 1), 1);
      } else out.set(xp.subarray(nFull - nOut));
      return out;
    },
  };
}

/** numpy.searchsorted(edges, v, side="right"): how many edges are <= v (NaN sorts last). */
function searchRight(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v !== v || edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function kBinsDiscretizer(o: PyObject, ctx: BuildContext, where: string): Transformer {
  const edgesRaw = o.state.get('bin_edges_');
  if (!(edgesRaw instanceof NdArray)) bad(`${where}: KBinsDiscretizer.bin_edges_ is missing`);
  const edges = (Array.from(edgesRaw.values() as ArrayLike<unknown>) as NdArray[]).map((e) => {
    if (!(e instanceof NdArray)) bad(`${where}: a bin edge list is not an array`);
    return e.numbers().slice(1, -1);
  });
  const n = edges.length;
  const encode = o.state.get('encode') ?? 'onehot';
  const codes = (x: ArrayLike<number>): Float64Array => Float64Array.from(edges, (e, j) => searchRight(e, x[j]!));
  if (encode === 'ordinal') return { nIn: n, nOut: n, transform: (x) => codes(x as ArrayLike<number>) };
  const encoder = ctx.transformer(o.state.get('_encoder'), `${where} › _encoder`);
  return { nIn: n, nOut: encoder.nOut, transform: (x) => encoder.transform(codes(x as ArrayLike<number>)) };
}

/** x · Mᵀ for M of shape (k, n), row-major, summing in index order. */
function project(x: ArrayLike<number>, m: Float64Array, k: number, n: number): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += x[j]! * m[i * n + j]!;
    y[i] = s;
  }
  return y;
}

function pca(o: PyObject): Transformer {
  const comps = arr(o, 'components_');
  const [k, n] = comps.shape as [number, number];
  const m = comps.numbers();
  const mean = optArr(o, 'mean_')?.numbers() ?? null;
  const whiten = o.state.get('whiten') === true;
  const scale = whiten ? arr(o, 'explained_variance_').numbers().map(Math.sqrt) : null;
  return {
    nIn: n,
    nOut: k,
    transform: (xc) => {
      const x = Float64Array.from(xc as ArrayLike<number>);
      if (mean) for (let j = 0; j < n; j++) x[j] = x[j]! - mean[j]!;
      const y = project(x, m, k, n);
      if (scale) for (let i = 0; i < k; i++) y[i] = y[i]! / scale[i]!;
      return y;
    },
  };
}

function truncatedSvd(o: PyObject): Transformer {
  const comps = arr(o, 'components_');
  const [k, n] = comps.shape as [number, number];
  const m = comps.numbers();
  return { nIn: n, nOut: k, transform: (x) => project(x as ArrayLike<number>, m, k, n) };
}

export function register(r: Registry): void {
  r.transformer('PolynomialFeatures', polynomialFeatures);
  r.transformer('KBinsDiscretizer', kBinsDiscretizer);
  r.transformer('PCA', pca);
  r.transformer('TruncatedSVD', truncatedSvd);
}
