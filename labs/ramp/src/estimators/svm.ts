// libsvm models: SVC, NuSVC, SVR, NuSVR, computed as scikit-learn's vendored libsvm does
// (sklearn/svm/src/libsvm/svm.cpp: k_function, svm_predict_values, svm_predict_probability,
// sigmoid_predict, multiclass_probability) and sklearn/svm/_base.py on top of it.
import type { PyObject } from '../unpickler.ts';
import type { Registry } from './registry.ts';
import { arr, bad, field, int, labelsOf, nFeaturesOf, num, optArr, unsupported } from './state.ts';
import { noProba, noValues, type Base } from './types.ts';

/** libsvm's powi: exponentiation by squaring. */
export function powi(base: number, times: number): number {
  let tmp = base;
  let ret = 1.0;
  for (let t = times; t > 0; t = Math.trunc(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp = tmp * tmp;
  }
  return ret;
}

export type Kernel = (x: Float64Array, sv: Float64Array, off: number) => number;

/** Kernel::k_function for dense rows: x against the support vector at sv[off .. off + n). */
export function kernelOf(o: PyObject, n: number): Kernel {
  const kind = field(o, 'kernel');
  const gamma = num(field(o, '_gamma'), `${o.cls}._gamma`);
  const coef0 = num(field(o, 'coef0'), `${o.cls}.coef0`);
  const dot = (x: Float64Array, sv: Float64Array, off: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * sv[off + i]!;
    return s;
  };
  switch (kind) {
    case 'linear': return dot;
    case 'poly': {
      const degree = int(field(o, 'degree'), `${o.cls}.degree`);
      return (x, sv, off) => powi(gamma * dot(x, sv, off) + coef0, degree);
    }
    case 'rbf': return (x, sv, off) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - sv[off + i]!;
        s += d * d;
      }
      return Math.exp(-gamma * s);
    };
    case 'sigmoid': return (x, sv, off) => Math.tanh(gamma * dot(x, sv, off) + coef0);
    default: return unsupported(`${o.cls} with kernel=${typeof kind === 'string' ? JSON.stringify(kind) : 'a callable'}`);
  }
}

interface Libsvm {
  nFeatures: number;
  nSV: number;
  sv: Float64Array;
  /** _dual_coef_, (nClasses - 1) × nSV, row-major. */
  coef: Float64Array;
  /** _intercept_ (= -rho). */
  intercept: Float64Array;
  kernel: Kernel;
}

function libsvmModel(o: PyObject): Libsvm {
  if (o.state.get('_sparse') === true) unsupported(`${o.cls} fitted on sparse data`);
  const svs = arr(o, 'support_vectors_');
  if (svs.shape.length !== 2) bad(`${o.cls}.support_vectors_ is not 2-d`);
  const [nSV, nf] = svs.shape as [number, number];
  const nFeatures = nFeaturesOf(o, nf);
  if (nf !== nFeatures) bad(`${o.cls}.support_vectors_ has ${nf} features, model has ${nFeatures}`);
  const dc = arr(o, '_dual_coef_');
  if (dc.shape.length !== 2 || dc.shape[1] !== nSV) bad(`${o.cls}._dual_coef_ does not match support_vectors_`);
  return { nFeatures, nSV, sv: svs.numbers(), coef: dc.numbers(), intercept: arr(o, '_intercept_').numbers(), kernel: kernelOf(o, nFeatures) };
}

/** sigmoid_predict: Platt's 1 / (1 + exp(A f + B)), written to avoid cancellation. */
export function sigmoidPredict(dec: number, a: number, b: number): number {
  const fApB = dec * a + b;
  if (fApB >= 0) return Math.exp(-fApB) / (1.0 + Math.exp(-fApB));
  return 1.0 / (1 + Math.exp(fApB));
}

/** multiclass_probability (Wu, Lin and Weng's method 2): r is k × k pairwise, p gets k probabilities. */
export function multiclassProbability(k: number, r: Float64Array, p: Float64Array): void {
  const maxIter = Math.max(100, k);
  const Q = new Float64Array(k * k);
  const Qp = new Float64Array(k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1.0 / k;
    Q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      Q[t * k + t] = Q[t * k + t]! + r[j * k + t]! * r[j * k + t]!;
      Q[t * k + j] = Q[j * k + t]!;
    }
    for (let j = t + 1; j < k; j++) {
      Q[t * k + t] = Q[t * k + t]! + r[j * k + t]! * r[j * k + t]!;
      Q[t * k + j] = -r[j * k + t]! * r[t * k + j]!;
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      Qp[t] = 0;
      for (let j = 0; j < k; j++) Qp[t] = Qp[t]! + Q[t * k + j]! * p[j]!;
      pQp += p[t]! * Qp[t]!;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) {
      const error = Math.abs(Qp[t]! - pQp);
      if (error > maxError) maxError = error;
    }
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t]! + pQp) / Q[t * k + t]!;
      p[t] = p[t]! + diff;
      pQp = (pQp + diff * (diff * Q[t * k + t]! + 2 * Qp[t]!)) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j]! + diff * Q[t * k + j]!) / (1 + diff);
        p[j] = p[j]! / (1 + diff);
      }
    }
  }
}

/** svm_predict_probability: Platt-scaled pairwise probabilities (clipped to [1e-7, 1 - 1e-7]), coupled. */
export function plattProba(dec: Float64Array, k: number, pa: Float64Array, pb: Float64Array, pairwise: Float64Array, out: Float64Array): void {
  const minProb = 1e-7;
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const v = Math.min(Math.max(sigmoidPredict(dec[p]!, pa[p]!, pb[p]!), minProb), 1 - minProb);
      pairwise[i * k + j] = v;
      pairwise[j * k + i] = 1 - v;
      p++;
    }
  }
  multiclassProbability(k, pairwise, out);
}

/** _ovr_decision_function(dec < 0, -dec, k): votes plus confidences squashed into (-1/3, 1/3). */
export function ovrDecision(dec: Float64Array, k: number, out: Float64Array): void {
  const votes = new Float64Array(k);
  const conf = new Float64Array(k);
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      conf[i] = conf[i]! - -dec[p]!;
      conf[j] = conf[j]! + -dec[p]!;
      if (dec[p]! < 0) votes[j]++;
      else votes[i]++;
      p++;
    }
  }
  for (let c = 0; c < k; c++) out[c] = votes[c]! + conf[c]! / (3 * (Math.abs(conf[c]!) + 1));
}

function svmClassifier(o: PyObject): Base {
  const m = libsvmModel(o);
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  const k = classes.length;
  const nPairs = (k * (k - 1)) / 2;
  const nSupport = Array.from(arr(o, '_n_support').numbers());
  if (nSupport.length !== k || nSupport.reduce((a, b) => a + b, 0) !== m.nSV) bad(`${o.cls}._n_support does not match its support vectors`);
  if (m.coef.length !== (k - 1) * m.nSV || m.intercept.length !== nPairs) bad(`${o.cls}: dual coefficients or intercepts do not match ${k} classes`);
  const start = nSupport.map((_, i) => nSupport.slice(0, i).reduce((a, b) => a + b, 0));
  const kvalue = new Float64Array(m.nSV);
  const dec = new Float64Array(nPairs);
  /** svm_predict_values: the one-vs-one decision values, and the index of the most voted class. */
  const predictValues = (x: Float64Array): number => {
    for (let i = 0; i < m.nSV; i++) kvalue[i] = m.kernel(x, m.sv, i * m.nFeatures);
    const vote = new Int32Array(k);
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        let sum = 0;
        const c1 = (j - 1) * m.nSV;
        const c2 = i * m.nSV;
        for (let s = start[i]!; s < start[i]! + nSupport[i]!; s++) sum += m.coef[c1 + s]! * kvalue[s]!;
        for (let s = start[j]!; s < start[j]! + nSupport[j]!; s++) sum += m.coef[c2 + s]! * kvalue[s]!;
        sum -= -m.intercept[p]!;
        dec[p] = sum;
        if (sum > 0) ++vote[i];
        else ++vote[j];
        p++;
      }
    }
    let best = 0;
    for (let i = 1; i < k; i++) if (vote[i]! > vote[best]!) best = i;
    return best;
  };
  const shape = o.state.get('decision_function_shape');
  const ovr = shape !== 'ovo';
  const decision = (x: Float64Array, out: Float64Array): void => {
    predictValues(x);
    if (k === 2) out[0] = -dec[0]!;
    else if (ovr) ovrDecision(dec, k, out);
    else out.set(dec);
  };
  const breakTies = o.state.get('break_ties') === true && ovr && k > 2;
  const ovrOut = new Float64Array(k);
  const probA = optArr(o, '_probA');
  const probB = optArr(o, '_probB');
  const hasProba = o.state.get('probability') === true && !!probA && !!probB && probA.size === nPairs && probB.size === nPairs;
  const pa = probA?.numbers();
  const pb = probB?.numbers();
  const pairwise = new Float64Array(k * k);
  return {
    task: 'classifier', nFeatures: m.nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true, hasProba,
    // predict votes on the decision values, even with probability=True
    predictIndex: (x) => {
      if (!breakTies) return predictValues(x);
      decision(x, ovrOut);
      let best = 0;
      for (let c = 1; c < k; c++) if (ovrOut[c]! > ovrOut[best]!) best = c;
      return best;
    },
    proba: (x, out) => {
      if (!hasProba) return noProba();
      predictValues(x);
      plattProba(dec, k, pa!, pb!, pairwise, out);
    },
    predictValues: noValues,
    decision,
    nDecision: k === 2 ? 1 : ovr ? k : nPairs,
  };
}

function svmRegressor(o: PyObject): Base {
  const m = libsvmModel(o);
  if (m.coef.length !== m.nSV || m.intercept.length !== 1) bad(`${o.cls}: expected one row of dual coefficients and one intercept`);
  const rho = -m.intercept[0]!;
  return {
    task: 'regressor', nFeatures: m.nFeatures, classes: null, labelType: null, nOutputs: 1, scalarOutput: true,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => {
      let sum = 0;
      for (let i = 0; i < m.nSV; i++) sum += m.coef[i]! * m.kernel(x, m.sv, i * m.nFeatures);
      out[0] = sum - rho;
    },
  };
}

export function register(r: Registry): void {
  r.final('SVC', svmClassifier);
  r.final('NuSVC', svmClassifier);
  r.final('SVR', svmRegressor);
  r.final('NuSVR', svmRegressor);
}

