// Naive Bayes classifiers as scikit-learn computes them: each has a joint log likelihood per class
// (_joint_log_likelihood); predict is its argmax, predict_proba is exp(jll - logsumexp(jll)) with
// scipy's logsumexp.
import { InputError } from '../errors.ts';
import { NdArray } from '../numpy.ts';
import type { PyObject } from '../unpickler.ts';
import type { Registry } from './registry.ts';
import { arr, bad, field, labelsOf, nFeaturesOf, num } from './state.ts';
import { noValues, type Base } from './types.ts';

/** scipy.special.logsumexp of v: the max (0 when not finite) factored out. */
export function logsumexp(v: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i]! > max) max = v[i]!;
  if (!Number.isFinite(max)) max = 0;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i]! - max);
  return Math.log(s) + max;
}

/** A classifier from its joint log likelihood, as _BaseNB.predict / predict_proba. */
function fromJll(o: PyObject, nFeatures: number, jll: (x: Float64Array, out: Float64Array) => void): Base {
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  const k = classes.length;
  const scratch = new Float64Array(k);
  return {
    task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true,
    predictIndex: (x) => {
      jll(x, scratch);
      let best = 0;
      for (let c = 1; c < k; c++) if (scratch[c]! > scratch[best]!) best = c;
      return best;
    },
    proba: (x, out) => {
      jll(x, scratch);
      const lse = logsumexp(scratch);
      for (let c = 0; c < k; c++) out[c] = Math.exp(scratch[c]! - lse);
    },
    predictValues: noValues,
  };
}

function matrix(o: PyObject, k: string, rows: number): { m: Float64Array; cols: number } {
  const a = arr(o, k);
  if (a.shape.length !== 2 || a.shape[0] !== rows) bad(`${o.cls}.${k} does not have one row per class`);
  return { m: a.numbers(), cols: a.shape[1]! };
}

function vector(o: PyObject, k: string, n: number): Float64Array {
  const v = arr(o, k).numbers();
  if (v.length !== n) bad(`${o.cls}.${k} has ${v.length} values, expected ${n}`);
  return v;
}

function gaussianNB(o: PyObject): Base {
  const k = arr(o, 'classes_').size;
  const { m: theta, cols: n } = matrix(o, 'theta_', k);
  const { m: variance, cols } = matrix(o, 'var_', k);
  if (cols !== n) bad('GaussianNB.var_ does not match theta_');
  const prior = vector(o, 'class_prior_', k);
  // per class: log(prior) and -0.5 * sum(log(2 pi var)), both independent of x
  const logPrior = prior.map((p) => Math.log(p));
  const norm = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.log(2.0 * Math.PI * variance[i * n + j]!);
    norm[i] = -0.5 * s;
  }
  return fromJll(o, nFeaturesOf(o, n), (x, out) => {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const d = x[j]! - theta[i * n + j]!;
        s += (d * d) / variance[i * n + j]!;
      }
      out[i] = logPrior[i]! + (norm[i]! - 0.5 * s);
    }
  });
}

/** x · w_c (+ b_c): MultinomialNB, ComplementNB and BernoulliNB after their own preparation. */
function linearJll(o: PyObject, w: Float64Array, b: Float64Array | null, k: number, n: number, prep?: (x: Float64Array) => Float64Array): Base {
  return fromJll(o, nFeaturesOf(o, n), (x0, out) => {
    const x = prep ? prep(x0) : x0;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[j]! * w[i * n + j]!;
      out[i] = b ? s + b[i]! : s;
    }
  });
}

function multinomialNB(o: PyObject): Base {
  const k = arr(o, 'classes_').size;
  const { m, cols } = matrix(o, 'feature_log_prob_', k);
  return linearJll(o, m, vector(o, 'class_log_prior_', k), k, cols);
}

function complementNB(o: PyObject): Base {
  const k = arr(o, 'classes_').size;
  const { m, cols } = matrix(o, 'feature_log_prob_', k);
  // sklearn adds the class prior only when there is a single class
  return linearJll(o, m, k === 1 ? vector(o, 'class_log_prior_', k) : null, k, cols);
}

function bernoulliNB(o: PyObject): Base {
  const k = arr(o, 'classes_').size;
  const { m: flp, cols: n } = matrix(o, 'feature_log_prob_', k);
  const clp = vector(o, 'class_log_prior_', k);
  const w = new Float64Array(k * n);
  const b = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let negSum = 0;
    for (let j = 0; j < n; j++) {
      const neg = Math.log(1 - Math.exp(flp[i * n + j]!));
      w[i * n + j] = flp[i * n + j]! - neg;
      negSum += neg;
    }
    b[i] = clp[i]! + negSum;
  }
  const t = o.state.get('binarize');
  if (t === null || t === undefined) return linearJll(o, w, b, k, n);
  const threshold = num(t, 'BernoulliNB.binarize');
  const xb = new Float64Array(n);
  return linearJll(o, w, b, k, n, (x) => {
    for (let j = 0; j < n; j++) xb[j] = x[j]! > threshold ? 1 : 0;
    return xb;
  });
}

function categoricalNB(o: PyObject): Base {
  const k = arr(o, 'classes_').size;
  const flp = field(o, 'feature_log_prob_');
  if (!Array.isArray(flp) || flp.length === 0) bad('CategoricalNB.feature_log_prob_ is not a list of arrays');
  const n = flp.length;
  const tables = flp.map((a, j) => {
    if (!(a instanceof NdArray) || a.isPending || a.shape.length !== 2 || a.shape[0] !== k) bad(`CategoricalNB.feature_log_prob_[${j}] is not a classes × categories array`);
    return { m: a.numbers(), nCat: a.shape[1]! };
  });
  const clp = vector(o, 'class_log_prior_', k);
  return fromJll(o, nFeaturesOf(o, n), (x, out) => {
    out.fill(0);
    for (let j = 0; j < n; j++) {
      const { m, nCat } = tables[j]!;
      const c = categoryOf(x[j]!, j, nCat);
      for (let i = 0; i < k; i++) out[i] = out[i]! + m[i * nCat + c]!;
    }
    for (let i = 0; i < k; i++) out[i] = out[i]! + clp[i]!;
  });
}

/** CategoricalNB's input: cast to int as numpy does (truncation); sklearn refuses negatives and unseen codes. */
function categoryOf(v: number, j: number, nCat: number): number {
  if (!Number.isFinite(v)) throw new InputError(`CategoricalNB: feature ${j} is ${v}; it needs a category code`, 'Send a non-negative integer category code.');
  const c = Math.trunc(v);
  if (c < 0) throw new InputError(`CategoricalNB: feature ${j} has the negative category ${v}`, 'scikit-learn refuses negative category codes (check_non_negative).');
  if (c >= nCat) throw new InputError(`CategoricalNB: feature ${j} has the category ${c}, the model knows 0..${nCat - 1}`, 'scikit-learn raises an IndexError here; send a category seen in training or refit with min_categories.');
  return c;
}

export function register(r: Registry): void {
  r.final('GaussianNB', gaussianNB);
  r.final('MultinomialNB', multinomialNB);
  r.final('ComplementNB', complementNB);
  r.final('BernoulliNB', bernoulliNB);
  r.final('CategoricalNB', categoricalNB);
}
