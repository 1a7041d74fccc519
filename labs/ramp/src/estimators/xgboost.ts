// XGBoost 1.7 boosters (gbtree), read from the booster's own serialised model (UBJSON: what
// Booster.__getstate__ pickles as `handle`) and evaluated as xgboost's CPU predictor does: inputs
// cast to float32, NaN takes the node's default direction, `x < split_condition` goes left, leaf
// values summed in float32 onto the base margin, then the objective's float32 transform.
import { UnsupportedEstimatorError } from '../errors.ts';
import { parseUbjson, type Ubj } from '../ubjson.ts';
import { PyObject } from '../unpickler.ts';
import { supportedNames, type Registry } from './registry.ts';
import { arr, bad, field, labelsOf } from './state.ts';
import { noProba, noValues, type Base } from './types.ts';

const f32 = Math.fround;

function get(m: Ubj | undefined, ...path: string[]): Ubj {
  let v: Ubj | undefined = m;
  for (const k of path) {
    if (!(v instanceof Map) || !v.has(k)) bad(`XGBoost model has no ${path.join('.')}`);
    v = v.get(k);
  }
  return v!;
}

function numStr(v: Ubj, what: string): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) bad(`XGBoost ${what} is not a number`);
  return n;
}

function ints(v: Ubj, what: string): Int32Array {
  if (v instanceof Int32Array) return v;
  if (v instanceof Uint8Array || v instanceof Int8Array || v instanceof Int16Array || Array.isArray(v)) return Int32Array.from(v as ArrayLike<number>);
  return bad(`XGBoost ${what} is not an integer array`);
}

function floats(v: Ubj, what: string): Float32Array {
  if (v instanceof Float32Array) return v;
  if (v instanceof Float64Array || Array.isArray(v)) return Float32Array.from(v as ArrayLike<number>);
  return bad(`XGBoost ${what} is not a float array`);
}

export class XgbTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  readonly cond: Float32Array;
  readonly defaultLeft: Int32Array;

  constructor(t: Ubj, nFeatures: number) {
    this.left = ints(get(t, 'left_children'), 'left_children');
    this.right = ints(get(t, 'right_children'), 'right_children');
    this.feature = ints(get(t, 'split_indices'), 'split_indices');
    this.cond = floats(get(t, 'split_conditions'), 'split_conditions');
    this.defaultLeft = ints(get(t, 'default_left'), 'default_left');
    const n = this.left.length;
    if (n === 0 || [this.right, this.feature, this.cond, this.defaultLeft].some((a) => a.length !== n)) bad('XGBoost tree arrays disagree on the node count');
    const types = t instanceof Map ? t.get('split_type') : undefined;
    if (types && ints(types, 'split_type').some((s) => s !== 0)) {
      throw new UnsupportedEstimatorError('XGBoost categorical splits are not supported yet', supportedNames());
    }
    for (let i = 0; i < n; i++) {
      const l = this.left[i]!;
      if (l === -1) continue;
      const r = this.right[i]!;
      const f = this.feature[i]!;
      // xgboost allocates children after their parent: checking it guarantees the walk ends
      if (!(l > i && l < n && r > i && r < n)) bad(`XGBoost tree node ${i} has invalid children ${l}, ${r}`);
      if (!(f >= 0 && f < nFeatures)) bad(`XGBoost tree node ${i} splits on feature ${f}, model has ${nFeatures}`);
    }
  }

  /** x32: the row as float32 (NaN = missing). The leaf value. */
  leaf(x32: Float32Array): number {
    let node = 0;
    while (this.left[node] !== -1) {
      const v = x32[this.feature[node]!]!;
      if (v !== v) node = this.defaultLeft[node] ? this.left[node]! : this.right[node]!;
      else node = v < this.cond[node]! ? this.left[node]! : this.right[node]!;
    }
    return this.cond[node]!;
  }
}

export interface Booster {
  nFeatures: number;
  /** Outputs per row: classes for multi:*, else 1. */
  nGroups: number;
  objective: string;
  margin(x: Float64Array, out: Float64Array): void;
}

/** Per objective: base_score (a probability or a value) to the margin, as ProbToMargin in float32. */
function baseMargin(objective: string, base: number): number {
  if (objective === 'binary:logistic' || objective === 'reg:logistic' || objective === 'binary:logitraw') return f32(-Math.log(f32(f32(1 / base) - 1)));
  if (objective === 'count:poisson' || objective === 'reg:gamma' || objective === 'reg:tweedie') return f32(Math.log(base));
  return base;
}

export function boosterFromUbjson(bytes: Uint8Array): Booster {
  const root = parseUbjson(bytes);
  const learner = root instanceof Map && root.has('Model') ? get(root, 'Model', 'learner') : get(root, 'learner');
  const gb = get(learner, 'gradient_booster');
  if (get(gb, 'name') !== 'gbtree') throw new UnsupportedEstimatorError(`XGBoost booster ${String(get(gb, 'name'))} is not supported (gbtree only)`, supportedNames());
  const param = get(learner, 'learner_model_param');
  const nFeatures = numStr(get(param, 'num_feature'), 'num_feature');
  const numClass = numStr(get(param, 'num_class'), 'num_class');
  const objective = get(learner, 'objective', 'name');
  if (typeof objective !== 'string') return bad('XGBoost objective has no name');
  const nGroups = Math.max(1, numClass);
  const model = get(gb, 'model');
  const list = get(model, 'trees');
  if (!Array.isArray(list)) return bad('XGBoost trees is not a list');
  const trees = list.map((t) => new XgbTree(t, nFeatures));
  const info = ints(get(model, 'tree_info'), 'tree_info');
  if (info.length !== trees.length || info.some((g) => g < 0 || g >= nGroups)) bad('XGBoost tree_info does not match the trees');
  const perIter = nGroups * numStr(get(model, 'gbtree_model_param', 'num_parallel_tree'), 'num_parallel_tree');
  // the sklearn wrapper predicts with iteration_range (0, best_iteration + 1)
  const attrs = learner instanceof Map ? learner.get('attributes') : undefined;
  const best = attrs instanceof Map && attrs.has('best_iteration') ? numStr(attrs.get('best_iteration')!, 'best_iteration') : null;
  const nTrees = best === null ? trees.length : Math.min(trees.length, (best + 1) * perIter);
  const base = baseMargin(objective, f32(numStr(get(param, 'base_score'), 'base_score')));
  const x32 = new Float32Array(nFeatures);
  return {
    nFeatures, nGroups, objective,
    margin: (x, out) => {
      x32.set(x);
      out.fill(base);
      for (let t = 0; t < nTrees; t++) out[info[t]!] = f32(out[info[t]!]! + trees[t]!.leaf(x32));
    },
  };
}

/** common::Sigmoid in float32. */
export function sigmoid32(x: number): number {
  return f32(1 / f32(1 + f32(Math.exp(-x))));
}

/** common::Softmax in place: float32 exps, a double sum, then a float32 division. */
export function softmax32(v: Float64Array): void {
  let max = v[0]!;
  for (let i = 1; i < v.length; i++) max = Math.max(v[i]!, max);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = f32(Math.exp(f32(v[i]! - max)));
    sum += v[i]!;
  }
  const s = f32(sum);
  for (let i = 0; i < v.length; i++) v[i] = f32(v[i]! / s);
}

function boosterOf(o: PyObject): Booster {
  const b = field(o, '_Booster');
  if (!(b instanceof PyObject)) return bad(`${o.cls}._Booster is not an xgboost Booster`);
  const h = field(b, 'handle');
  if (!(h instanceof Uint8Array)) return bad(`${o.cls}._Booster.handle is not the serialised booster`);
  return boosterFromUbjson(h);
}

export function xgbClassifier(b: Booster, classes: Array<number | string | boolean | bigint>, labelType: Base['labelType']): Base {
  const k = classes.length;
  if (b.objective === 'binary:logistic' ? k !== 2 : b.objective !== 'multi:softprob' || b.nGroups !== k) {
    throw new UnsupportedEstimatorError(`XGBClassifier with objective ${b.objective} for ${k} classes is not supported`, supportedNames());
  }
  const m = new Float64Array(b.nGroups);
  const proba = (x: Float64Array, out: Float64Array): void => {
    b.margin(x, m);
    if (k === 2) {
      out[1] = sigmoid32(m[0]!);
      out[0] = f32(1.0 - out[1]!);
      return;
    }
    out.set(m);
    softmax32(out);
  };
  const p = new Float64Array(k);
  return {
    task: 'classifier', nFeatures: b.nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true, proba,
    predictIndex: (x) => {
      proba(x, p);
      if (k === 2) return p[1]! > 0.5 ? 1 : 0;
      let best = 0;
      for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
      return best;
    },
    predictValues: noValues,
    decision: (x, out) => b.margin(x, out),
    nDecision: b.nGroups,
  };
}

export function xgbRegressor(b: Booster): Base {
  if (b.nGroups !== 1) throw new UnsupportedEstimatorError('multi-output XGBRegressor is not supported', supportedNames());
  const identity = ['reg:squarederror', 'reg:squaredlogerror', 'reg:pseudohubererror', 'reg:absoluteerror', 'reg:linear'].includes(b.objective);
  const exp = ['count:poisson', 'reg:gamma', 'reg:tweedie'].includes(b.objective);
  if (!identity && !exp) throw new UnsupportedEstimatorError(`XGBRegressor with objective ${b.objective} is not supported`, supportedNames());
  const m = new Float64Array(1);
  return {
    task: 'regressor', nFeatures: b.nFeatures, classes: null, labelType: null, nOutputs: 1, scalarOutput: true,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => {
      b.margin(x, m);
      out[0] = exp ? f32(Math.exp(m[0]!)) : m[0]!;
    },
  };
}

/**
 * XGBClassifier / XGBRegressor (xgboost's scikit-learn wrappers; the unpickler allows them and
 * xgboost.core.Booster as data).
 */
export function register(r: Registry): void {
  r.final('XGBClassifier', (o) => {
    // xgboost 1.7 requires labels 0..k-1 and predicts the column index; classes_ is np.unique(y)
    const { classes, labelType } = labelsOf(arr(o, 'classes_'));
    return xgbClassifier(boosterOf(o), classes, labelType);
  });
  r.final('XGBRegressor', (o) => xgbRegressor(boosterOf(o)));
}
