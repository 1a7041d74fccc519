// scikit-learn estimators re-implemented over the unpickled state, computing
// exactly what sklearn computes (float32-cast tree inputs, sklearn's softmax,
// scipy's expit/logsumexp, GB raw-prediction accumulation order...).
import { MalformedPickleError, UnsupportedEstimatorError } from './errors.ts';
import { NdArray } from './numpy.ts';
import { Inert, PyObject, TreeObj } from './unpickler.ts';

export type Label = number | string | boolean | bigint;
export type LabelType = 'int' | 'float' | 'string' | 'bool';

export const SUPPORTED_ESTIMATORS = [
  'LinearRegression', 'Ridge', 'Lasso', 'ElasticNet', 'LogisticRegression',
  'DecisionTreeClassifier', 'DecisionTreeRegressor', 'RandomForestClassifier', 'RandomForestRegressor',
  'ExtraTreesClassifier', 'ExtraTreesRegressor', 'GradientBoostingClassifier', 'GradientBoostingRegressor',
  'StandardScaler', 'MinMaxScaler', 'Pipeline',
] as const;

export interface Model {
  /** Top-level class name. */
  estimator: string;
  /** Class names of the pipeline steps (or [estimator]). */
  steps: Array<{ name: string; estimator: string }>;
  task: 'classifier' | 'regressor' | 'transformer';
  nFeatures: number;
  featureNames: string[] | null;
  classes: Label[] | null;
  labelType: LabelType | null;
  /** Regression targets / transformer output width. */
  nOutputs: number;
  /** True when predict returns one value per row (1-D), false for 2-D outputs. */
  scalarOutput: boolean;
  sklearnVersion: string | null;
  /** Classifier: class probabilities (length classes.length). */
  proba(x: Float64Array, out: Float64Array): void;
  /** Classifier: index into classes of the predicted label. */
  predictIndex(x: Float64Array): number;
  /** Regressor: outputs (length nOutputs); transformer: transformed row. */
  predictValues(x: Float64Array, out: Float64Array): void;
}

// ---------------------------------------------------------------------------
// state helpers

function unsupported(name: string): never {
  throw new UnsupportedEstimatorError(`unsupported estimator ${name}`, SUPPORTED_ESTIMATORS);
}
function bad(msg: string): never {
  throw new MalformedPickleError(msg);
}
function field(o: PyObject, k: string): unknown {
  if (!o.state.has(k)) bad(`${o.cls} has no attribute ${k} (is it fitted?)`);
  return o.state.get(k);
}
function arr(o: PyObject, k: string): NdArray {
  const v = field(o, k);
  if (!(v instanceof NdArray) || v.isPending) bad(`${o.cls}.${k} is not a numpy array`);
  return v;
}
function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof NdArray && !v.isPending && v.size === 1) return v.numbers()[0]!;
  return bad(`${what} is not a number`);
}
function int(v: unknown, what: string): number {
  const n = num(v, what);
  if (!Number.isSafeInteger(n) || n < 0) bad(`${what} is not a non-negative integer`);
  return n;
}
function optArr(o: PyObject, k: string): NdArray | null {
  const v = o.state.get(k);
  if (v === undefined || v === null) return null;
  if (!(v instanceof NdArray) || v.isPending) bad(`${o.cls}.${k} is not a numpy array`);
  return v;
}

function labelsOf(a: NdArray): { classes: Label[]; labelType: LabelType } {
  const k = a.dtype.kind;
  const vals = Array.from(a.values() as ArrayLike<unknown>);
  if (k === 'i' || k === 'u') return { classes: vals as Label[], labelType: 'int' };
  if (k === 'f') return { classes: vals as Label[], labelType: 'float' };
  if (k === 'b') return { classes: vals as Label[], labelType: 'bool' };
  if (k === 'O' || k === 'U' || k === 'S') {
    if (vals.every((v) => typeof v === 'string')) return { classes: vals as string[], labelType: 'string' };
    if (vals.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
      return { classes: vals as Label[], labelType: vals.every((v) => typeof v === 'bigint' || Number.isInteger(v)) ? 'int' : 'float' };
    }
    if (vals.every((v) => typeof v === 'boolean')) return { classes: vals as boolean[], labelType: 'bool' };
  }
  return bad('classes_ holds labels that are not strings, numbers or booleans');
}

function featureNames(o: PyObject): string[] | null {
  const v = o.state.get('feature_names_in_');
  if (!(v instanceof NdArray)) return null;
  const vals = Array.from(v.values() as ArrayLike<unknown>);
  return vals.every((x) => typeof x === 'string') ? (vals as string[]) : null;
}

function sklearnVersion(o: PyObject): string | null {
  const v = o.state.get('_sklearn_version');
  return typeof v === 'string' ? v : null;
}

// ---------------------------------------------------------------------------
// math, as numpy/scipy do it

export function expit(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** sklearn.utils.extmath.softmax, in place. */
function softmax(v: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i]! > max) max = v[i]!;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.exp(v[i]! - max);
    sum += v[i]!;
  }
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / sum;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

// ---------------------------------------------------------------------------
// trees

export class Tree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array | null;
  /** value, flattened (nodeCount, nOutputs, maxClasses). */
  value: Float64Array;
  nodeCount: number;
  nOutputs: number;
  maxClasses: number;

  constructor(t: TreeObj, nFeatures: number) {
    const st = t.state;
    if (!st) bad('sklearn Tree has no state');
    const nodes = st.get('nodes');
    const values = st.get('values');
    if (!(nodes instanceof NdArray) || nodes.isPending || !nodes.dtype.fields) bad('Tree.nodes is not a structured array');
    if (!(values instanceof NdArray) || values.isPending || values.shape.length !== 3) bad('Tree.values is not a 3-d array');
    const n = nodes.size;
    this.nodeCount = n;
    this.nOutputs = values.shape[1]!;
    this.maxClasses = values.shape[2]!;
    if (values.shape[0] !== n) bad('Tree.values and Tree.nodes disagree on the node count');
    const left = nodes.field('left_child');
    const right = nodes.field('right_child');
    const feat = nodes.field('feature');
    this.threshold = nodes.field('threshold');
    this.missingLeft = nodes.hasField('missing_go_to_left') ? Uint8Array.from(nodes.field('missing_go_to_left')) : null;
    this.left = new Int32Array(n);
    this.right = new Int32Array(n);
    this.feature = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const l = left[i]!;
      const r = right[i]!;
      const f = feat[i]!;
      if (l === -1) {
        if (r !== -1) bad(`tree node ${i} has one child`);
        this.left[i] = -1;
        this.right[i] = -1;
        this.feature[i] = -2;
        continue;
      }
      // children always come after their parent in sklearn's depth-first layout:
      // checking it guarantees traversal terminates.
      if (!(l > i && l < n && r > i && r < n)) bad(`tree node ${i} has invalid children ${l}, ${r}`);
      if (!(f >= 0 && f < nFeatures)) bad(`tree node ${i} splits on feature ${f}, model has ${nFeatures}`);
      this.left[i] = l;
      this.right[i] = r;
      this.feature[i] = f;
    }
    const v = values.values();
    this.value = v instanceof Float64Array ? v : values.numbers();
  }

  /** x32 holds the features cast to float32 (as sklearn does). */
  leaf(x32: Float32Array): number {
    const { left, right, feature, threshold, missingLeft } = this;
    let node = 0;
    if (missingLeft) {
      while (left[node] !== -1) {
        const v = x32[feature[node]!]!;
        if (v !== v) node = missingLeft[node] ? left[node]! : right[node]!;
        else node = v <= threshold[node]! ? left[node]! : right[node]!;
      }
    } else {
      while (left[node] !== -1) {
        node = x32[feature[node]!]! <= threshold[node]! ? left[node]! : right[node]!;
      }
    }
    return node;
  }
}

function treeOf(est: PyObject, nFeatures: number): Tree {
  const t = field(est, 'tree_');
  if (!(t instanceof TreeObj)) bad(`${est.cls}.tree_ is not an sklearn Tree`);
  return new Tree(t, nFeatures);
}

/** Per-leaf normalised class probabilities, as DecisionTreeClassifier.predict_proba. */
function normalisedProba(t: Tree, nClasses: number): Float64Array {
  if (t.nOutputs !== 1) throw new UnsupportedEstimatorError('multi-output tree classifiers are not supported', SUPPORTED_ESTIMATORS);
  const out = new Float64Array(t.nodeCount * nClasses);
  for (let i = 0; i < t.nodeCount; i++) {
    if (t.left[i] !== -1) continue;
    let s = 0;
    for (let c = 0; c < nClasses; c++) s += t.value[i * t.maxClasses + c]!;
    if (s === 0) s = 1;
    for (let c = 0; c < nClasses; c++) out[i * nClasses + c] = t.value[i * t.maxClasses + c]! / s;
  }
  return out;
}

// ---------------------------------------------------------------------------
// building models

interface Base {
  task: Model['task'];
  nFeatures: number;
  classes: Label[] | null;
  labelType: LabelType | null;
  nOutputs: number;
  scalarOutput: boolean;
  proba(x: Float64Array, out: Float64Array): void;
  predictIndex(x: Float64Array): number;
  predictValues(x: Float64Array, out: Float64Array): void;
}

const noProba = (): never => bad('not a classifier');
const noValues = (): never => bad('not a regressor');

function classifierBase(o: PyObject, nFeatures: number, nClasses: number, probaFn: (x: Float64Array, out: Float64Array) => void): Base {
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  if (classes.length !== nClasses) bad(`${o.cls}: classes_ has ${classes.length} labels, model computes ${nClasses}`);
  const scratch = new Float64Array(nClasses);
  return {
    task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true,
    proba: probaFn,
    predictIndex: (x) => { probaFn(x, scratch); return argmax(scratch); },
    predictValues: noValues,
  };
}

function linearRegressor(o: PyObject): Base {
  const coef = arr(o, 'coef_');
  const w = coef.numbers();
  const nFeatures = coef.shape[coef.shape.length - 1]!;
  const nOut = coef.shape.length === 1 ? 1 : coef.shape[0]!;
  const ic = field(o, 'intercept_');
  const b = new Float64Array(nOut);
  if (ic instanceof NdArray) {
    const v = ic.numbers();
    if (v.length === 1) b.fill(v[0]!);
    else if (v.length === nOut) b.set(v);
    else bad(`${o.cls}.intercept_ has ${v.length} values for ${nOut} outputs`);
  } else b.fill(num(ic, `${o.cls}.intercept_`));
  return {
    task: 'regressor', nFeatures, classes: null, labelType: null, nOutputs: nOut, scalarOutput: coef.shape.length === 1,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => {
      for (let k = 0; k < nOut; k++) {
        let s = 0;
        const off = k * nFeatures;
        for (let j = 0; j < nFeatures; j++) s += x[j]! * w[off + j]!;
        out[k] = s + b[k]!;
      }
    },
  };
}

function logisticRegression(o: PyObject): Base {
  const coef = arr(o, 'coef_');
  if (coef.shape.length !== 2) bad('LogisticRegression.coef_ is not 2-d');
  const w = coef.numbers();
  const [nRows, nFeatures] = coef.shape as [number, number];
  const b = arr(o, 'intercept_').numbers();
  if (b.length !== nRows) bad('LogisticRegression.intercept_ does not match coef_');
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  const nClasses = classes.length;
  const mc = o.state.get('multi_class');
  const solver = o.state.get('solver');
  const ovr = mc === 'ovr' || mc === 'warn' || ((mc === 'auto' || mc === 'deprecated' || mc === undefined) && (nClasses <= 2 || solver === 'liblinear'));
  const scores = new Float64Array(nRows);
  const decision = (x: Float64Array): void => {
    for (let k = 0; k < nRows; k++) {
      let s = 0;
      const off = k * nFeatures;
      for (let j = 0; j < nFeatures; j++) s += x[j]! * w[off + j]!;
      scores[k] = s + b[k]!;
    }
  };
  const proba = (x: Float64Array, out: Float64Array): void => {
    decision(x);
    if (nRows === 1) {
      if (ovr) {
        const p = expit(scores[0]!);
        out[0] = 1 - p;
        out[1] = p;
      } else {
        out[0] = -scores[0]!;
        out[1] = scores[0]!;
        softmax(out);
      }
      return;
    }
    if (ovr) {
      let s = 0;
      for (let k = 0; k < nRows; k++) { out[k] = expit(scores[k]!); s += out[k]!; }
      for (let k = 0; k < nRows; k++) out[k] = out[k]! / s;
    } else {
      out.set(scores);
      softmax(out);
    }
  };
  return {
    task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true, proba,
    predictIndex: (x) => {
      decision(x);
      if (nRows === 1) return scores[0]! > 0 ? 1 : 0;
      return argmax(scores);
    },
    predictValues: noValues,
  };
}

function nFeaturesOf(o: PyObject, fallback?: number): number {
  const v = o.state.get('n_features_in_');
  if (v !== undefined) return int(v, `${o.cls}.n_features_in_`);
  if (fallback !== undefined) return fallback;
  return bad(`${o.cls} has no n_features_in_`);
}

function treeNFeatures(o: PyObject): number {
  const t = o.state.get('tree_');
  return nFeaturesOf(o, t instanceof TreeObj ? t.nFeatures : undefined);
}

function decisionTreeClassifier(o: PyObject): Base {
  const nFeatures = treeNFeatures(o);
  const t = treeOf(o, nFeatures);
  const nClasses = labelsOf(arr(o, 'classes_')).classes.length;
  const p = normalisedProba(t, nClasses);
  const x32 = new Float32Array(nFeatures);
  return classifierBase(o, nFeatures, nClasses, (x, out) => {
    x32.set(x);
    const leaf = t.leaf(x32) * nClasses;
    for (let c = 0; c < nClasses; c++) out[c] = p[leaf + c]!;
  });
}

function decisionTreeRegressor(o: PyObject): Base {
  const nFeatures = treeNFeatures(o);
  const t = treeOf(o, nFeatures);
  const nOut = t.nOutputs;
  const x32 = new Float32Array(nFeatures);
  return {
    task: 'regressor', nFeatures, classes: null, labelType: null, nOutputs: nOut, scalarOutput: nOut === 1,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => {
      x32.set(x);
      const leaf = t.leaf(x32);
      for (let k = 0; k < nOut; k++) out[k] = t.value[(leaf * nOut + k) * t.maxClasses]!;
    },
  };
}

function estimatorsList(o: PyObject): PyObject[] {
  const e = field(o, 'estimators_');
  const list = e instanceof NdArray ? (e.values() as unknown[]) : e;
  if (!Array.isArray(list) || list.length === 0) bad(`${o.cls}.estimators_ is empty or not a list`);
  for (const x of list) if (!(x instanceof PyObject)) bad(`${o.cls}.estimators_ holds something that is not an estimator`);
  return list as PyObject[];
}

const TREE_CLASSIFIERS = new Set(['DecisionTreeClassifier', 'ExtraTreeClassifier']);
const TREE_REGRESSORS = new Set(['DecisionTreeRegressor', 'ExtraTreeRegressor']);

function forestClassifier(o: PyObject): Base {
  const nFeatures = nFeaturesOf(o);
  const nClasses = labelsOf(arr(o, 'classes_')).classes.length;
  const n = o.state.get('n_outputs_');
  if (n !== undefined && n !== 1) throw new UnsupportedEstimatorError('multi-output forests are not supported', SUPPORTED_ESTIMATORS);
  const trees = estimatorsList(o).map((e) => {
    if (!TREE_CLASSIFIERS.has(e.cls)) bad(`${o.cls}.estimators_ holds a ${e.cls}`);
    const t = treeOf(e, nFeatures);
    return { t, p: normalisedProba(t, nClasses) };
  });
  const x32 = new Float32Array(nFeatures);
  const nt = trees.length;
  return classifierBase(o, nFeatures, nClasses, (x, out) => {
    x32.set(x);
    out.fill(0);
    for (let i = 0; i < nt; i++) {
      const { t, p } = trees[i]!;
      const leaf = t.leaf(x32) * nClasses;
      for (let c = 0; c < nClasses; c++) out[c] = out[c]! + p[leaf + c]!;
    }
    for (let c = 0; c < nClasses; c++) out[c] = out[c]! / nt;
  });
}

function forestRegressor(o: PyObject): Base {
  const nFeatures = nFeaturesOf(o);
  const trees = estimatorsList(o).map((e) => {
    if (!TREE_REGRESSORS.has(e.cls)) bad(`${o.cls}.estimators_ holds a ${e.cls}`);
    return treeOf(e, nFeatures);
  });
  const nOut = trees[0]!.nOutputs;
  const x32 = new Float32Array(nFeatures);
  const nt = trees.length;
  return {
    task: 'regressor', nFeatures, classes: null, labelType: null, nOutputs: nOut, scalarOutput: nOut === 1,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => {
      x32.set(x);
      out.fill(0);
      for (let i = 0; i < nt; i++) {
        const t = trees[i]!;
        const leaf = t.leaf(x32);
        for (let k = 0; k < nOut; k++) out[k] = out[k]! + t.value[(leaf * t.nOutputs + k) * t.maxClasses]!;
      }
      for (let k = 0; k < nOut; k++) out[k] = out[k]! / nt;
    },
  };
}

const F32_EPS = 1.1920928955078125e-7;

function gbInitRaw(o: PyObject, K: number, isClassifier: boolean, exponential: boolean): Float64Array {
  const init = o.state.get('init_');
  const raw = new Float64Array(K);
  if (init === 'zero') return raw;
  if (!(init instanceof PyObject)) return bad(`${o.cls}.init_ is not supported`);
  if (isClassifier) {
    if (init.cls !== 'DummyClassifier') throw new UnsupportedEstimatorError(`unsupported estimator ${init.cls} as GradientBoosting init`, SUPPORTED_ESTIMATORS);
    const prior = dummyClassifierProba(init);
    const clip = (p: number): number => Math.min(Math.max(p, F32_EPS), 1 - F32_EPS);
    if (K === 1) {
      const p = clip(prior[1]!);
      raw[0] = exponential ? 0.5 * Math.log(p / (1 - p)) : Math.log(p / (1 - p));
    } else {
      for (let k = 0; k < K; k++) raw[k] = Math.log(clip(prior[k]!));
    }
  } else {
    if (init.cls !== 'DummyRegressor') throw new UnsupportedEstimatorError(`unsupported estimator ${init.cls} as GradientBoosting init`, SUPPORTED_ESTIMATORS);
    raw[0] = arr(init, 'constant_').numbers()[0]!;
  }
  return raw;
}

function dummyClassifierProba(o: PyObject): Float64Array {
  const strategy = o.state.get('_strategy') ?? o.state.get('strategy');
  const prior = arr(o, 'class_prior_').numbers();
  if (strategy === 'prior') return prior;
  if (strategy === 'most_frequent') {
    const out = new Float64Array(prior.length);
    out[argmax(prior)] = 1;
    return out;
  }
  throw new UnsupportedEstimatorError(`unsupported DummyClassifier strategy ${String(strategy)}`, SUPPORTED_ESTIMATORS);
}

function gradientBoosting(o: PyObject, isClassifier: boolean): Base {
  const nFeatures = nFeaturesOf(o);
  const est = field(o, 'estimators_');
  if (!(est instanceof NdArray) || est.shape.length !== 2) bad(`${o.cls}.estimators_ is not a 2-d array`);
  const [nStages, K] = est.shape as [number, number];
  const lr = num(field(o, 'learning_rate'), 'learning_rate');
  const list = est.values() as unknown[];
  const trees: Tree[] = list.map((e) => {
    if (!(e instanceof PyObject) || !TREE_REGRESSORS.has(e.cls)) bad(`${o.cls}.estimators_ holds something that is not a regression tree`);
    return treeOf(e, nFeatures);
  });
  const loss = o.state.get('loss');
  const exponential = loss === 'exponential';
  const init = gbInitRaw(o, K, isClassifier, exponential);
  const raw = new Float64Array(K);
  const x32 = new Float32Array(nFeatures);
  const rawPredict = (x: Float64Array): Float64Array => {
    x32.set(x);
    raw.set(init);
    for (let i = 0; i < nStages; i++) {
      for (let k = 0; k < K; k++) {
        const t = trees[i * K + k]!;
        raw[k] = raw[k]! + lr * t.value[t.leaf(x32) * t.maxClasses]!;
      }
    }
    return raw;
  };
  if (!isClassifier) {
    if (K !== 1) bad('GradientBoostingRegressor with more than one tree per stage');
    return {
      task: 'regressor', nFeatures, classes: null, labelType: null, nOutputs: 1, scalarOutput: true,
      proba: noProba, predictIndex: noProba,
      predictValues: (x, out) => { out[0] = rawPredict(x)[0]!; },
    };
  }
  if (loss !== undefined && loss !== 'log_loss' && loss !== 'deviance' && loss !== 'exponential') {
    throw new UnsupportedEstimatorError(`unsupported GradientBoostingClassifier loss ${String(loss)}`, SUPPORTED_ESTIMATORS);
  }
  const nClasses = labelsOf(arr(o, 'classes_')).classes.length;
  if ((K === 1 && nClasses !== 2) || (K > 1 && K !== nClasses)) bad('GradientBoostingClassifier stages do not match its classes');
  const proba = (x: Float64Array, out: Float64Array): void => {
    const r = rawPredict(x);
    if (K === 1) {
      const p = expit(exponential ? 2 * r[0]! : r[0]!);
      out[0] = 1 - p;
      out[1] = p;
      return;
    }
    // exp(raw - logsumexp(raw)), scipy's logsumexp
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (r[k]! > max) max = r[k]!;
    if (!Number.isFinite(max)) max = 0;
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(r[k]! - max);
    const lse = Math.log(s) + max;
    for (let k = 0; k < K; k++) {
      const v = Math.exp(r[k]! - lse);
      out[k] = Number.isNaN(v) ? 0 : v;
    }
  };
  const base = classifierBase(o, nFeatures, nClasses, proba);
  if (K > 1) base.predictIndex = (x) => argmax(rawPredict(x));
  return base;
}

function dummyClassifier(o: PyObject): Base {
  const p = dummyClassifierProba(o);
  const nFeatures = nFeaturesOf(o, 0);
  return classifierBase(o, nFeatures, p.length, (_x, out) => out.set(p));
}

function dummyRegressor(o: PyObject): Base {
  const c = arr(o, 'constant_').numbers();
  return {
    task: 'regressor', nFeatures: nFeaturesOf(o, 0), classes: null, labelType: null, nOutputs: c.length, scalarOutput: c.length === 1,
    proba: noProba, predictIndex: noProba,
    predictValues: (_x, out) => out.set(c),
  };
}

// transformers --------------------------------------------------------------

type Transform = (x: Float64Array) => Float64Array;

function standardScaler(o: PyObject): { nFeatures: number; transform: Transform } {
  const nFeatures = nFeaturesOf(o);
  const withMean = o.state.get('with_mean') !== false;
  const withStd = o.state.get('with_std') !== false;
  const mean = withMean ? optArr(o, 'mean_')?.numbers() ?? null : null;
  const scale = withStd ? optArr(o, 'scale_')?.numbers() ?? null : null;
  return {
    nFeatures,
    transform: (x) => {
      const y = new Float64Array(x);
      if (mean) for (let j = 0; j < nFeatures; j++) y[j] = y[j]! - mean[j]!;
      if (scale) for (let j = 0; j < nFeatures; j++) y[j] = y[j]! / scale[j]!;
      return y;
    },
  };
}

function minMaxScaler(o: PyObject): { nFeatures: number; transform: Transform } {
  const nFeatures = nFeaturesOf(o);
  const scale = arr(o, 'scale_').numbers();
  const min = arr(o, 'min_').numbers();
  const clip = o.state.get('clip') === true;
  const fr = o.state.get('feature_range');
  const lo = Array.isArray(fr) ? num(fr[0], 'feature_range') : 0;
  const hi = Array.isArray(fr) ? num(fr[1], 'feature_range') : 1;
  return {
    nFeatures,
    transform: (x) => {
      const y = new Float64Array(x);
      for (let j = 0; j < nFeatures; j++) {
        let v = y[j]! * scale[j]!;
        v += min[j]!;
        if (clip) v = Math.min(Math.max(v, lo), hi);
        y[j] = v;
      }
      return y;
    },
  };
}

function transformerOf(o: PyObject): { nFeatures: number; transform: Transform } | null {
  if (o.cls === 'StandardScaler') return standardScaler(o);
  if (o.cls === 'MinMaxScaler') return minMaxScaler(o);
  return null;
}

function finalOf(o: PyObject): Base {
  switch (o.cls) {
    case 'LinearRegression': case 'Ridge': case 'Lasso': case 'ElasticNet': return linearRegressor(o);
    case 'LogisticRegression': return logisticRegression(o);
    case 'DecisionTreeClassifier': case 'ExtraTreeClassifier': return decisionTreeClassifier(o);
    case 'DecisionTreeRegressor': case 'ExtraTreeRegressor': return decisionTreeRegressor(o);
    case 'RandomForestClassifier': case 'ExtraTreesClassifier': return forestClassifier(o);
    case 'RandomForestRegressor': case 'ExtraTreesRegressor': return forestRegressor(o);
    case 'GradientBoostingClassifier': return gradientBoosting(o, true);
    case 'GradientBoostingRegressor': return gradientBoosting(o, false);
    case 'DummyClassifier': return dummyClassifier(o);
    case 'DummyRegressor': return dummyRegressor(o);
    default: return unsupported(shortName(o.cls));
  }
}

function transformerAsModel(t: { nFeatures: number; transform: Transform }): Base {
  const width = t.nFeatures;
  return {
    task: 'transformer', nFeatures: t.nFeatures, classes: null, labelType: null, nOutputs: width, scalarOutput: false,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => out.set(t.transform(x)),
  };
}

/** Turn the unpickled root object into a runnable model. */
export function buildModel(root: unknown): Model {
  if (!(root instanceof PyObject)) {
    if (root instanceof Inert) unsupported(root.what);
    unsupported(describeValue(root));
  }
  const version = sklearnVersion(root);
  if (root.cls.startsWith('internal:') || root.cls.startsWith('unknown:') || root.cls === 'NumpyArrayWrapper') unsupported(shortName(root.cls));
  if (root.cls === 'Pipeline') {
    const steps = field(root, 'steps');
    if (!Array.isArray(steps) || steps.length === 0) bad('Pipeline.steps is not a list');
    const parsed: Array<{ name: string; est: PyObject | null }> = steps.map((s) => {
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'string') bad('Pipeline step is not a (name, estimator) pair');
      const est = s[1];
      if (est === null || est === 'passthrough') return { name: s[0], est: null };
      if (!(est instanceof PyObject)) unsupported(describeValue(est));
      if (est.cls.startsWith('unknown:') || est.cls.startsWith('internal:')) unsupported(shortName(est.cls));
      if (est.cls === 'Pipeline') unsupported('nested Pipeline');
      return { name: s[0], est };
    });
    const transforms: Transform[] = [];
    let nFeatures = -1;
    let names: string[] | null = null;
    const active = parsed.filter((p) => p.est);
    if (active.length === 0) bad('Pipeline has no estimators');
    for (let i = 0; i < active.length - 1; i++) {
      const est = active[i]!.est!;
      const t = transformerOf(est);
      if (!t) unsupported(`${est.cls} (as a pipeline step)`);
      if (nFeatures < 0) { nFeatures = t.nFeatures; names = featureNames(est); }
      transforms.push(t.transform);
    }
    const lastEst = active[active.length - 1]!.est!;
    const lastT = transformerOf(lastEst);
    const last = lastT ? transformerAsModel(lastT) : finalOf(lastEst);
    if (nFeatures < 0) { nFeatures = last.nFeatures; names = featureNames(lastEst); }
    const pre = (x: Float64Array): Float64Array => {
      let y = x;
      for (const t of transforms) y = t(y);
      return y;
    };
    return {
      ...last,
      nFeatures,
      estimator: 'Pipeline',
      steps: parsed.map((p) => ({ name: p.name, estimator: p.est ? p.est.cls : 'passthrough' })),
      featureNames: names,
      sklearnVersion: version,
      proba: (x, out) => last.proba(pre(x), out),
      predictIndex: (x) => last.predictIndex(pre(x)),
      predictValues: (x, out) => last.predictValues(pre(x), out),
    };
  }
  const t = transformerOf(root);
  const base = t ? transformerAsModel(t) : finalOf(root);
  return {
    ...base,
    estimator: root.cls,
    steps: [{ name: root.cls, estimator: root.cls }],
    featureNames: featureNames(root),
    sklearnVersion: version,
  };
}

function shortName(cls: string): string {
  const m = /^(?:internal|unknown):(.*)$/.exec(cls);
  return m ? m[1]!.split('.').pop()! + ` (${m[1]})` : cls;
}

function describeValue(v: unknown): string {
  if (v instanceof PyObject) return shortName(v.cls);
  if (v instanceof NdArray) return 'numpy.ndarray';
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (v instanceof Map) return 'dict';
  return typeof v;
}

// ---------------------------------------------------------------------------
// batch helpers

export interface Predictions {
  predictions: Array<Label | number | number[]>;
  probabilities?: number[][];
}

export function predictRows(model: Model, rows: Float64Array[], withProba: boolean): Predictions {
  const preds: Array<Label | number | number[]> = [];
  const probas: number[][] = [];
  if (model.task === 'classifier') {
    const k = model.classes!.length;
    const buf = new Float64Array(k);
    for (const r of rows) {
      preds.push(model.classes![model.predictIndex(r)]!);
      if (withProba) { model.proba(r, buf); probas.push(Array.from(buf)); }
    }
  } else {
    const buf = new Float64Array(model.nOutputs);
    for (const r of rows) {
      model.predictValues(r, buf);
      preds.push(model.scalarOutput ? buf[0]! : Array.from(buf));
    }
  }
  return withProba ? { predictions: preds, probabilities: probas } : { predictions: preds };
}
