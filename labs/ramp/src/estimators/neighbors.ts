// k-nearest neighbours: KNeighborsClassifier and KNeighborsRegressor, choosing the same neighbours
// as scikit-learn 1.2 — brute force as its ArgKmin reduction does it (a bounded max-heap fed in
// training order, then an unstable quicksort), KDTree/BallTree by walking the stored tree the way
// BinaryTree.query does, so that equidistant neighbours are picked and ordered alike.
import { NdArray } from '../numpy.ts';
import { PyObject } from '../unpickler.ts';
import { npSum } from './npsum.ts';
import type { Registry } from './registry.ts';
import { arr, bad, field, int, labelsOf, nFeaturesOf, num, unsupported } from './state.ts';
import { noProba, noValues, type Base } from './types.ts';

export interface Metric { kind: 'euclidean' | 'manhattan' | 'minkowski'; p: number }

/** sklearn's effective_metric_ (minkowski p=1/2 already mapped to manhattan/euclidean). */
export function metricOf(o: PyObject): Metric {
  const m = field(o, 'effective_metric_');
  const params = o.state.get('effective_metric_params_');
  const keys = params instanceof Map ? [...params.keys()] : [];
  if (keys.some((k) => k !== 'p' && !(k === 'w' && (params as Map<string, unknown>).get(k) === null))) unsupported(`${o.cls} with metric_params ${keys.join(', ')}`);
  if (m === 'euclidean' || m === 'l2') return { kind: 'euclidean', p: 2 };
  if (m === 'manhattan' || m === 'cityblock' || m === 'l1') return { kind: 'manhattan', p: 1 };
  if (m === 'minkowski') {
    const p = num(params instanceof Map ? params.get('p') : o.state.get('p'), `${o.cls}.p`);
    if (!(p >= 1) || !Number.isFinite(p)) unsupported(`${o.cls} with minkowski p=${p}`);
    return p === 2 ? { kind: 'euclidean', p } : p === 1 ? { kind: 'manhattan', p } : { kind: 'minkowski', p };
  }
  return unsupported(`${o.cls} with metric ${String(m)}`);
}

/** DistanceMetric.rdist: the rank-preserving distance (squared for euclidean). */
function rdist(m: Metric, a: ArrayLike<number>, b: Float64Array, off: number, n: number): number {
  let d = 0;
  if (m.kind === 'euclidean') {
    for (let j = 0; j < n; j++) { const t = a[j]! - b[off + j]!; d += t * t; }
  } else if (m.kind === 'manhattan') {
    for (let j = 0; j < n; j++) d += Math.abs(a[j]! - b[off + j]!);
  } else {
    for (let j = 0; j < n; j++) d += Math.pow(Math.abs(a[j]! - b[off + j]!), m.p);
  }
  return d;
}
const rdistToDist = (m: Metric, r: number): number => (m.kind === 'euclidean' ? Math.sqrt(r) : m.kind === 'manhattan' ? r : Math.pow(r, 1 / m.p));
const distToRdist = (m: Metric, d: number): number => (m.kind === 'euclidean' ? d * d : m.kind === 'manhattan' ? d : Math.pow(d, m.p));
const powP = (m: Metric, v: number): number => (m.kind === 'euclidean' ? v * v : m.kind === 'manhattan' ? v : Math.pow(v, m.p));

/** sklearn.utils._heap.heap_push: a fixed-size max-heap; a value equal to the largest stays out. */
export function heapPush(values: Float64Array, indices: Int32Array, val: number, idx: number): void {
  const size = values.length;
  if (val >= values[0]!) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let swap: number;
    if (l >= size) break;
    else if (r >= size) { if (values[l]! > val) swap = l; else break; }
    else if (values[l]! >= values[r]!) { if (val < values[l]!) swap = l; else break; }
    else if (val < values[r]!) swap = r;
    else break;
    values[i] = values[swap]!;
    indices[i] = indices[swap]!;
    i = swap;
  }
  values[i] = val;
  indices[i] = idx;
}

/** sklearn.utils._sorting.simultaneous_sort: quicksort with a median-of-three pivot (not stable). */
export function simultaneousSort(v: Float64Array, ix: Int32Array, lo = 0, size = v.length): void {
  const swap = (a: number, b: number): void => {
    const t = v[lo + a]!; v[lo + a] = v[lo + b]!; v[lo + b] = t;
    const u = ix[lo + a]!; ix[lo + a] = ix[lo + b]!; ix[lo + b] = u;
  };
  const at = (i: number): number => v[lo + i]!;
  if (size <= 1) return;
  if (size === 2) { if (at(0) > at(1)) swap(0, 1); return; }
  if (size === 3) {
    if (at(0) > at(1)) swap(0, 1);
    if (at(1) > at(2)) { swap(1, 2); if (at(0) > at(1)) swap(0, 1); }
    return;
  }
  const mid = size >> 1;
  if (at(0) > at(size - 1)) swap(0, size - 1);
  if (at(size - 1) > at(mid)) { swap(size - 1, mid); if (at(0) > at(size - 1)) swap(0, size - 1); }
  const pivot = at(size - 1);
  let store = 0;
  for (let i = 0; i < size - 1; i++) if (at(i) < pivot) swap(i, store++);
  swap(store, size - 1);
  if (store > 1) simultaneousSort(v, ix, lo, store);
  if (store + 2 < size) simultaneousSort(v, ix, lo + store + 1, size - store - 1);
}

const SPLIT = 134217729; // 2^27 + 1
/** a*b + c with one rounding (error-free transformations; exact barring overflow and double rounding). */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || p === 0) return p + c;
  const ta = SPLIT * a, ah = ta - (ta - a), al = a - ah;
  const tb = SPLIT * b, bh = tb - (tb - b), bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  const s = p + c;
  const v = s - p;
  const err = (p - (s - v)) + (c - v);
  return s + (e + err);
}

export interface Neighbours { dist: Float64Array; ind: Int32Array }
type Finder = (x: ArrayLike<number>) => Neighbours;

/** Brute force as ArgKmin (parallel on X): training rows in order into the heap. */
function bruteFinder(fitX: Float64Array, n: number, d: number, k: number, m: Metric): Finder {
  const norms = new Float64Array(n);
  if (m.kind === 'euclidean') for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += fitX[i * d + j]! * fitX[i * d + j]!; norms[i] = s; }
  return (x) => {
    const dist = new Float64Array(k).fill(Infinity);
    const ind = new Int32Array(k);
    let xn = 0;
    if (m.kind === 'euclidean') for (let j = 0; j < d; j++) xn += x[j]! * x[j]!;
    for (let i = 0; i < n; i++) {
      let r: number;
      if (m.kind === 'euclidean') {
        // ||x||² - 2 x·y + ||y||², the GEMM form sklearn ranks by: norms as ddot adds them,
        // x·y as the dgemm kernel does (fused multiply-adds)
        let dot = 0;
        for (let j = 0; j < d; j++) dot = fma(x[j]!, fitX[i * d + j]!, dot);
        r = xn + -2 * dot + norms[i]!;
      } else r = rdist(m, x, fitX, i * d, d);
      heapPush(dist, ind, r, i);
    }
    simultaneousSort(dist, ind);
    for (let j = 0; j < k; j++) dist[j] = rdistToDist(m, Math.max(dist[j]!, 0));
    return { dist, ind };
  };
}

/** BinaryTree.query (depth first, one query point) over a stored KDTree or BallTree. */
function treeFinder(tree: PyObject, k: number, d: number, m: Metric): Finder {
  const st = tree.state.get('__setstate__');
  if (!Array.isArray(st) || st.length < 12) bad(`${tree.cls} state is not the tuple sklearn pickles`);
  const [dataA, idxA, nodeA, boundsA] = st as [unknown, unknown, unknown, unknown];
  for (const a of [dataA, idxA, nodeA, boundsA]) if (!(a instanceof NdArray) || a.isPending) bad(`${tree.cls} state holds something that is not an array`);
  const data = (dataA as NdArray).numbers();
  const idx = Int32Array.from((idxA as NdArray).numbers());
  const nodes = nodeA as NdArray;
  const bounds = (boundsA as NdArray).numbers();
  const [nRows, nCols] = (dataA as NdArray).shape as [number, number];
  if (nCols !== d) bad(`${tree.cls} holds ${nCols} features, the model ${d}`);
  const nNodes = nodes.size;
  const start = nodes.field('idx_start');
  const end = nodes.field('idx_end');
  const leaf = nodes.field('is_leaf');
  const radius = nodes.field('radius');
  for (let i = 0; i < nNodes; i++) if (!(start[i]! >= 0 && end[i]! <= nRows && start[i]! <= end[i]!) || (!leaf[i] && 2 * i + 2 >= nNodes)) bad(`${tree.cls} node ${i} is malformed`);
  for (const v of idx) if (!(v >= 0 && v < nRows)) bad(`${tree.cls} index out of range`);
  const kd = tree.cls === 'KDTree';
  if (!kd && tree.cls !== 'BallTree') unsupported(tree.cls);
  if (bounds.length !== (kd ? 2 : 1) * nNodes * d) bad(`${tree.cls}.node_bounds has the wrong shape`);
  const minRdist = (i: number, pt: ArrayLike<number>): number => {
    if (kd) {
      let r = 0;
      for (let j = 0; j < d; j++) {
        const lo = bounds[i * d + j]! - pt[j]!;
        const hi = pt[j]! - bounds[(nNodes + i) * d + j]!;
        r += powP(m, 0.5 * ((lo + Math.abs(lo)) + (hi + Math.abs(hi))));
      }
      return r;
    }
    const dc = rdistToDist(m, rdist(m, pt, bounds, i * d, d));
    return distToRdist(m, Math.max(0, dc - radius[i]!));
  };
  return (x) => {
    const dist = new Float64Array(k).fill(Infinity);
    const ind = new Int32Array(k);
    const visit = (i: number, lb: number): void => {
      if (lb > dist[0]!) return;
      if (leaf[i]) {
        for (let p = start[i]!; p < end[i]!; p++) heapPush(dist, ind, rdist(m, x, data, idx[p]! * d, d), idx[p]!);
        return;
      }
      const a = 2 * i + 1;
      const lbA = minRdist(a, x);
      const lbB = minRdist(a + 1, x);
      if (lbA <= lbB) { visit(a, lbA); visit(a + 1, lbB); } else { visit(a + 1, lbB); visit(a, lbA); }
    };
    visit(0, minRdist(0, x));
    simultaneousSort(dist, ind);
    for (let j = 0; j < k; j++) dist[j] = rdistToDist(m, dist[j]!);
    return { dist, ind };
  };
}

function finderOf(o: PyObject, k: number, d: number): Finder {
  const m = metricOf(o);
  const method = field(o, '_fit_method');
  const fitX = arr(o, '_fit_X');
  const n = fitX.shape[0]!;
  if (fitX.shape.length !== 2 || fitX.shape[1] !== d) bad(`${o.cls}._fit_X does not have ${d} columns`);
  if (!(k >= 1 && k <= n)) bad(`${o.cls}: n_neighbors ${k} for ${n} training rows`);
  if (method === 'brute') return bruteFinder(fitX.numbers(), n, d, k, m);
  if (method === 'kd_tree' || method === 'ball_tree') {
    const t = field(o, '_tree');
    if (!(t instanceof PyObject)) bad(`${o.cls}._tree is not a KDTree or BallTree`);
    return treeFinder(t, k, d, m);
  }
  return unsupported(`${o.cls} with _fit_method ${String(method)}`);
}

/** _get_weights: 1/d, or, when a neighbour is at distance 0, 1 for those and 0 for the rest. */
function weightsOf(dist: Float64Array): Float64Array {
  const w = new Float64Array(dist.length);
  let zero = false;
  for (let i = 0; i < dist.length; i++) { w[i] = 1 / dist[i]!; if (w[i] === Infinity) zero = true; }
  if (zero) for (let i = 0; i < w.length; i++) w[i] = w[i] === Infinity ? 1 : 0;
  return w;
}

function common(o: PyObject): { d: number; k: number; find: Finder; distance: boolean } {
  const w = o.state.get('weights') ?? 'uniform';
  if (w !== 'uniform' && w !== 'distance' && w !== null) unsupported(`${o.cls} with a callable weights function`);
  const d = nFeaturesOf(o);
  const k = int(field(o, 'n_neighbors'), `${o.cls}.n_neighbors`);
  return { d, k, find: finderOf(o, k, d), distance: w === 'distance' };
}

function kNeighborsClassifier(o: PyObject): Base {
  if (o.state.get('outputs_2d_') === true) unsupported('multi-output KNeighborsClassifier');
  const { d, k, find, distance } = common(o);
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  const nc = classes.length;
  const y = Int32Array.from(arr(o, '_y').numbers());
  for (const v of y) if (!(v >= 0 && v < nc)) bad(`${o.cls}._y holds a class index out of range`);
  const template = new Float64Array(k);
  const predictIndex = (x: Float64Array): number => {
    const { dist, ind } = find(x);
    if (!distance) {
      // scipy.stats.mode: the most frequent class index, the smallest on a tie
      const counts = new Int32Array(nc);
      for (let j = 0; j < k; j++) counts[y[ind[j]!]!]!++;
      let best = 0;
      for (let c = 1; c < nc; c++) if (counts[c]! > counts[best]!) best = c;
      return best;
    }
    // weighted_mode: per class, the row sum of its weights; strictly greater wins
    const w = weightsOf(dist);
    let best = 0;
    let bestCount = 0;
    for (let c = 0; c < nc; c++) {
      for (let j = 0; j < k; j++) template[j] = y[ind[j]!] === c ? w[j]! : 0;
      const s = npSum(template);
      if (s > bestCount) { best = c; bestCount = s; }
    }
    return best;
  };
  return {
    task: 'classifier', nFeatures: d, classes, labelType, nOutputs: 1, scalarOutput: true,
    predictIndex, predictValues: noValues,
    proba: (x, out) => {
      const { dist, ind } = find(x);
      const w = distance ? weightsOf(dist) : null;
      out.fill(0);
      for (let j = 0; j < k; j++) out[y[ind[j]!]!] = out[y[ind[j]!]!]! + (w ? w[j]! : 1);
      let norm = npSum(out);
      if (norm === 0) norm = 1;
      for (let c = 0; c < nc; c++) out[c] = out[c]! / norm;
    },
  };
}

function kNeighborsRegressor(o: PyObject): Base {
  const { d, k, find, distance } = common(o);
  const yA = arr(o, '_y');
  const y = yA.numbers();
  const nOut = yA.shape.length === 1 ? 1 : yA.shape[1]!;
  const col = new Float64Array(k);
  return {
    task: 'regressor', nFeatures: d, classes: null, labelType: null, nOutputs: nOut, scalarOutput: yA.shape.length === 1,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => {
      const { dist, ind } = find(x);
      const w = distance ? weightsOf(dist) : null;
      const denom = w ? npSum(w) : k;
      for (let t = 0; t < nOut; t++) {
        for (let j = 0; j < k; j++) col[j] = y[ind[j]! * nOut + t]! * (w ? w[j]! : 1);
        out[t] = npSum(col) / denom;
      }
    },
  };
}

export function register(r: Registry): void {
  r.final('KNeighborsClassifier', kNeighborsClassifier);
  r.final('KNeighborsRegressor', kNeighborsRegressor);
}
