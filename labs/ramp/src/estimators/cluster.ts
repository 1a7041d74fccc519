// Clustering and outlier detection: KMeans/MiniBatchKMeans.predict (the nearest centre) and
// IsolationForest (score_samples, decision_function, predict), as scikit-learn 1.2 computes them.
// Both predict an integer label, so both are classifiers without predict_proba: KMeans's classes
// are the cluster indices 0..k-1, IsolationForest's are -1 (outlier) and 1 (inlier).
import { NdArray } from '../numpy.ts';
import { PyObject, TreeObj } from '../unpickler.ts';
import { fma } from './neighbors.ts';
import type { Registry } from './registry.ts';
import { arr, bad, field, int, nFeaturesOf, num } from './state.ts';
import { Tree, estimatorsList, treeOf } from './trees.ts';
import { noValues, type Base } from './types.ts';

function kmeans(o: PyObject): Base {
  const c = arr(o, 'cluster_centers_');
  if (c.shape.length !== 2) bad(`${o.cls}.cluster_centers_ is not 2-d`);
  const [k, d] = c.shape as [number, number];
  const centers = c.numbers();
  const norms = new Float64Array(k);
  for (let j = 0; j < k; j++) { let s = 0; for (let f = 0; f < d; f++) s += centers[j * d + f]! * centers[j * d + f]!; norms[j] = s; }
  return {
    task: 'classifier', nFeatures: nFeaturesOf(o, d), classes: Array.from({ length: k }, (_, j) => j), labelType: 'int',
    nOutputs: 1, scalarOutput: true, hasProba: false, predictValues: noValues,
    proba: () => bad(`${o.cls} has no predict_proba`),
    predictIndex: (x) => {
      // _labels_inertia: ||c||² - 2 x·c (the GEMM form), the first centre on a tie
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let f = 0; f < d; f++) dot = fma(x[f]!, centers[j * d + f]!, dot);
        const v = norms[j]! + -2 * dot;
        if (j === 0 || v < bestD) { best = j; bestD = v; }
      }
      return best;
    },
  };
}

const EULER_GAMMA = 0.5772156649015329;

/** sklearn.ensemble._iforest._average_path_length for one leaf size. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2.0 * (Math.log(n - 1.0) + EULER_GAMMA) - (2.0 * (n - 1.0)) / n;
}

interface IsoTree { t: Tree; depth: Int32Array; nLeaf: Float64Array; features: Int32Array }

function isoTree(e: PyObject, features: unknown, nFeatures: number): IsoTree {
  const fs = features instanceof Int32Array ? features : features instanceof NdArray ? Int32Array.from(features.numbers()) : null;
  if (!fs) bad('IsolationForest.estimators_features_ is not a list of arrays');
  for (const f of fs) if (!(f >= 0 && f < nFeatures)) bad('IsolationForest feature index out of range');
  const t = treeOf(e, fs.length);
  const depth = new Int32Array(t.nodeCount);
  for (let i = 0; i < t.nodeCount; i++) if (t.left[i] !== -1) { depth[t.left[i]!] = depth[i]! + 1; depth[t.right[i]!] = depth[i]! + 1; }
  const nodes = (field(e, 'tree_') as TreeObj).state?.get('nodes');
  if (!(nodes instanceof NdArray)) bad('IsolationForest tree has no nodes');
  const nLeaf = Float64Array.from(nodes.field('n_node_samples'));
  return { t, depth, nLeaf, features: fs };
}

function isolationForest(o: PyObject): Base {
  const nFeatures = nFeaturesOf(o);
  const list = estimatorsList(o);
  const feats = field(o, 'estimators_features_');
  if (!Array.isArray(feats) || feats.length !== list.length) bad('IsolationForest.estimators_features_ does not match estimators_');
  // _compute_chunked_score_samples indexes features only when the trees saw a subset
  const subsample = int(field(o, '_max_features'), 'IsolationForest._max_features') !== nFeatures;
  const all = Int32Array.from({ length: nFeatures }, (_, j) => j);
  const trees = list.map((e, i) => isoTree(e, subsample ? feats[i] : all, nFeatures));
  const offset = num(field(o, 'offset_'), 'IsolationForest.offset_');
  const denominator = list.length * averagePathLength(int(field(o, 'max_samples_'), 'IsolationForest.max_samples_'));
  const x32 = new Float32Array(nFeatures);
  const scoreSamples = (x: Float64Array): number => {
    let depths = 0;
    for (const { t, depth, nLeaf, features } of trees) {
      for (let j = 0; j < features.length; j++) x32[j] = x[features[j]!]!;
      const leaf = t.leaf(x32);
      depths += depth[leaf]! + 1 + averagePathLength(nLeaf[leaf]!) - 1.0;
    }
    return -Math.pow(2, -(denominator !== 0 ? depths / denominator : 1));
  };
  return {
    task: 'classifier', nFeatures, classes: [-1, 1], labelType: 'int', nOutputs: 1, scalarOutput: true, hasProba: false,
    predictValues: noValues, proba: () => bad('IsolationForest has no predict_proba'),
    scoreSamples, nDecision: 1,
    decision: (x, out) => { out[0] = scoreSamples(x) - offset; },
    predictIndex: (x) => (scoreSamples(x) - offset < 0 ? 0 : 1),
  };
}

export function register(r: Registry): void {
  r.final('KMeans', kmeans);
  r.final('MiniBatchKMeans', kmeans);
  r.final('IsolationForest', isolationForest);
}
