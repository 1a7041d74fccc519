// Linear models: LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression.
import { NdArray } from '../numpy.ts';
import type { PyObject } from '../unpickler.ts';
import { expit, softmax, argmax } from './math.ts';
import type { Registry } from './registry.ts';
import { arr, bad, field, labelsOf, num } from './state.ts';
import { noProba, noValues, type Base } from './types.ts';

export function linearRegressor(o: PyObject): Base {
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

export function logisticRegression(o: PyObject): Base {
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
    nDecision: nRows,
    decision: (x, out) => { decision(x); out.set(scores); },
    predictIndex: (x) => {
      decision(x);
      if (nRows === 1) return scores[0]! > 0 ? 1 : 0;
      return argmax(scores);
    },
    predictValues: noValues,
  };
}


export function register(r: Registry): void {
  for (const c of ['LinearRegression', 'Ridge', 'Lasso', 'ElasticNet']) r.final(c, linearRegressor);
  r.final('LogisticRegression', logisticRegression);
}
