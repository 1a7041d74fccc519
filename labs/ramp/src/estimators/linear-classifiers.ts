// Linear classifiers scored as LinearClassifierMixin does (x · coef_ + intercept_; binary: > 0,
// multiclass: argmax): SGDClassifier, Perceptron, PassiveAggressiveClassifier, RidgeClassifier(CV),
// LinearSVC; and the linear regressors SGDRegressor, LinearSVR, LogisticRegressionCV by reuse.
import { NdArray } from '../numpy.ts';
import { PyObject } from '../unpickler.ts';
import { expit } from './math.ts';
import type { Registry } from './registry.ts';
import { linearRegressor, logisticRegression } from './linear.ts';
import { arr, bad, field, labelsOf, num, unsupported } from './state.ts';
import { noProba, noValues, type Base } from './types.ts';

type ProbaKind = 'none' | 'lr' | 'modified_huber';

/** decision_function: rows of coef_ (one for binary problems) against x, plus intercept_. */
function linearScores(o: PyObject, nClasses: number): { nFeatures: number; nRows: number; scores: (x: Float64Array) => Float64Array } {
  const coef = arr(o, 'coef_');
  const shape = coef.shape.length === 1 ? [1, coef.shape[0]!] : coef.shape;
  if (shape.length !== 2) bad(`${o.cls}.coef_ is not 2-d`);
  const [nRows, nFeatures] = shape as [number, number];
  if (nRows !== (nClasses === 2 ? 1 : nClasses)) bad(`${o.cls}.coef_ has ${nRows} rows for ${nClasses} classes`);
  const w = coef.numbers();
  const ic = field(o, 'intercept_');
  const b = new Float64Array(nRows);
  if (ic instanceof NdArray) {
    const v = ic.numbers();
    if (v.length === 1) b.fill(v[0]!);
    else if (v.length === nRows) b.set(v);
    else bad(`${o.cls}.intercept_ has ${v.length} values for ${nRows} rows of coef_`);
  } else b.fill(num(ic, `${o.cls}.intercept_`));
  const s = new Float64Array(nRows);
  return {
    nFeatures, nRows,
    scores: (x) => {
      for (let k = 0; k < nRows; k++) {
        let acc = 0;
        const off = k * nFeatures;
        for (let j = 0; j < nFeatures; j++) acc += x[j]! * w[off + j]!;
        s[k] = acc + b[k]!;
      }
      return s;
    },
  };
}

/** SGDClassifier.predict_proba for modified_huber: (clip(score, -1, 1) + 1) / 2, normalised. */
function modifiedHuberProba(s: Float64Array, out: Float64Array): void {
  if (s.length === 1) {
    const p = (Math.min(Math.max(s[0]!, -1), 1) + 1.0) / 2.0;
    out[0] = 1 - p;
    out[1] = p;
    return;
  }
  let sum = 0;
  for (let k = 0; k < s.length; k++) {
    out[k] = (Math.min(Math.max(s[k]!, -1), 1) + 1.0) / 2.0;
    sum += out[k]!;
  }
  if (sum === 0) {
    out.fill(1);
    sum = s.length;
  }
  for (let k = 0; k < s.length; k++) out[k] = out[k]! / sum;
}

/** LinearClassifierMixin._predict_proba_lr: one-vs-rest expit, normalised. */
function lrProba(s: Float64Array, out: Float64Array): void {
  if (s.length === 1) {
    const p = expit(s[0]!);
    out[0] = 1 - p;
    out[1] = p;
    return;
  }
  let sum = 0;
  for (let k = 0; k < s.length; k++) {
    out[k] = expit(s[k]!);
    sum += out[k]!;
  }
  for (let k = 0; k < s.length; k++) out[k] = out[k]! / sum;
}

function linearClassifier(o: PyObject, classesArr: NdArray, kind: ProbaKind): Base {
  const { classes, labelType } = labelsOf(classesArr);
  const { nFeatures, nRows, scores } = linearScores(o, classes.length);
  return {
    task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true,
    hasProba: kind !== 'none',
    predictIndex: (x) => {
      const s = scores(x);
      if (nRows === 1) return s[0]! > 0 ? 1 : 0;
      let best = 0;
      for (let k = 1; k < nRows; k++) if (s[k]! > s[best]!) best = k;
      return best;
    },
    proba: (x, out) => {
      if (kind === 'lr') lrProba(scores(x), out);
      else if (kind === 'modified_huber') modifiedHuberProba(scores(x), out);
      else noProba();
    },
    predictValues: noValues,
    decision: (x, out) => out.set(scores(x)),
    nDecision: nRows,
  };
}

function sgdClassifier(o: PyObject): Base {
  const loss = o.state.get('loss');
  const kind: ProbaKind = loss === 'log_loss' || loss === 'log' ? 'lr' : loss === 'modified_huber' ? 'modified_huber' : 'none';
  return linearClassifier(o, arr(o, 'classes_'), kind);
}

function ridgeClassifier(o: PyObject): Base {
  const lb = field(o, '_label_binarizer');
  if (!(lb instanceof PyObject)) bad(`${o.cls}._label_binarizer is not a LabelBinarizer`);
  const yType = lb.state.get('y_type_');
  if (typeof yType === 'string' && yType.startsWith('multilabel')) unsupported(`${o.cls} fitted on multilabel targets`);
  return linearClassifier(o, arr(lb, 'classes_'), 'none');
}

export function register(r: Registry): void {
  r.final('SGDClassifier', sgdClassifier);
  for (const c of ['Perceptron', 'PassiveAggressiveClassifier', 'LinearSVC']) r.final(c, (o) => linearClassifier(o, arr(o, 'classes_'), 'none'));
  r.final('RidgeClassifier', ridgeClassifier);
  r.final('RidgeClassifierCV', ridgeClassifier);
  r.final('LogisticRegressionCV', logisticRegression);
  for (const c of ['SGDRegressor', 'LinearSVR']) r.final(c, linearRegressor);
}
