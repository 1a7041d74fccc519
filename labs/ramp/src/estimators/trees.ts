// Decision trees, forests and gradient boosting, computed as sklearn does (float32-cast inputs,
// sklearn's accumulation order, scipy's expit and logsumexp).
import { UnsupportedEstimatorError } from '../errors.ts';
import { NdArray } from '../numpy.ts';
import { PyObject, TreeObj } from '../unpickler.ts';
import { argmax, expit } from './math.ts';
import { supportedNames, type Registry } from './registry.ts';
import { arr, bad, field, labelsOf, nFeaturesOf, num, treeNFeatures } from './state.ts';
import { classifierBase, noProba, noValues, type Base } from './types.ts';

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

export function treeOf(est: PyObject, nFeatures: number): Tree {
  const t = field(est, 'tree_');
  if (!(t instanceof TreeObj)) bad(`${est.cls}.tree_ is not an sklearn Tree`);
  return new Tree(t, nFeatures);
}

/** Per-leaf normalised class probabilities, as DecisionTreeClassifier.predict_proba. */
export function normalisedProba(t: Tree, nClasses: number): Float64Array {
  if (t.nOutputs !== 1) throw new UnsupportedEstimatorError('multi-output tree classifiers are not supported', supportedNames());
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

export function estimatorsList(o: PyObject): PyObject[] {
  const e = field(o, 'estimators_');
  const list = e instanceof NdArray ? (e.values() as unknown[]) : e;
  if (!Array.isArray(list) || list.length === 0) bad(`${o.cls}.estimators_ is empty or not a list`);
  for (const x of list) if (!(x instanceof PyObject)) bad(`${o.cls}.estimators_ holds something that is not an estimator`);
  return list as PyObject[];
}

export const TREE_CLASSIFIERS = new Set(['DecisionTreeClassifier', 'ExtraTreeClassifier']);
export const TREE_REGRESSORS = new Set(['DecisionTreeRegressor', 'ExtraTreeRegressor']);

function forestClassifier(o: PyObject): Base {
  const nFeatures = nFeaturesOf(o);
  const nClasses = labelsOf(arr(o, 'classes_')).classes.length;
  const n = o.state.get('n_outputs_');
  if (n !== undefined && n !== 1) throw new UnsupportedEstimatorError('multi-output forests are not supported', supportedNames());
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
    if (init.cls !== 'DummyClassifier') throw new UnsupportedEstimatorError(`unsupported estimator ${init.cls} as GradientBoosting init`, supportedNames());
    const prior = dummyClassifierProba(init);
    const clip = (p: number): number => Math.min(Math.max(p, F32_EPS), 1 - F32_EPS);
    if (K === 1) {
      const p = clip(prior[1]!);
      raw[0] = exponential ? 0.5 * Math.log(p / (1 - p)) : Math.log(p / (1 - p));
    } else {
      for (let k = 0; k < K; k++) raw[k] = Math.log(clip(prior[k]!));
    }
  } else {
    if (init.cls !== 'DummyRegressor') throw new UnsupportedEstimatorError(`unsupported estimator ${init.cls} as GradientBoosting init`, supportedNames());
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
  throw new UnsupportedEstimatorError(`unsupported DummyClassifier strategy ${String(strategy)}`, supportedNames());
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
    throw new UnsupportedEstimatorError(`unsupported GradientBoostingClassifier loss ${String(loss)}`, supportedNames());
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
  base.nDecision = K;
  base.decision = (x, out) => out.set(rawPredict(x));
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


export function register(r: Registry): void {
  r.final('DecisionTreeClassifier', decisionTreeClassifier);
  r.final('ExtraTreeClassifier', decisionTreeClassifier);
  r.final('DecisionTreeRegressor', decisionTreeRegressor);
  r.final('ExtraTreeRegressor', decisionTreeRegressor);
  r.final('RandomForestClassifier', forestClassifier);
  r.final('ExtraTreesClassifier', forestClassifier);
  r.final('RandomForestRegressor', forestRegressor);
  r.final('ExtraTreesRegressor', forestRegressor);
  r.final('GradientBoostingClassifier', (o) => gradientBoosting(o, true));
  r.final('GradientBoostingRegressor', (o) => gradientBoosting(o, false));
  r.final('DummyClassifier', dummyClassifier);
  r.final('DummyRegressor', dummyRegressor);
}
