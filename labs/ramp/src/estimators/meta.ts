// Meta-estimators that wrap one fitted model: CalibratedClassifierCV (sigmoid or isotonic
// calibrators over the base's decision_function or predict_proba), TransformedTargetRegressor
// (the regressor, then the target transformer's inverse) and GridSearchCV/RandomizedSearchCV
// (best_estimator_), as scikit-learn 1.2 computes them.
import { UnsupportedEstimatorError } from '../errors.ts';
import { PyObject } from '../unpickler.ts';
import { expit, argmax } from './math.ts';
import { npSum } from './npsum.ts';
import { ufuncOf } from './preprocessing.ts';
import { supportedNames, type BuildContext, type Registry } from './registry.ts';
import { arr, bad, field, labelsOf, num, optArr, unsupported } from './state.ts';
import { noValues, type Base, type Label } from './types.ts';

const at = (where: string, name: string): string => (where ? `${where} › ${name}` : name);

/** scikit-learn classes whose fitted model has decision_function (so calibration uses it). */
const HAS_DECISION = new Set([
  'LogisticRegression', 'LogisticRegressionCV', 'GradientBoostingClassifier', 'HistGradientBoostingClassifier',
  'SVC', 'NuSVC', 'LinearSVC', 'SGDClassifier', 'Perceptron', 'PassiveAggressiveClassifier', 'RidgeClassifier',
  'RidgeClassifierCV', 'AdaBoostClassifier', 'LinearDiscriminantAnalysis', 'QuadraticDiscriminantAnalysis',
  'OneVsRestClassifier', 'OneVsOneClassifier',
]);

/** _get_prediction_method: decision_function when the (pipeline's last) estimator has it. */
function usesDecision(o: unknown): boolean {
  if (!(o instanceof PyObject)) return false;
  if (o.cls === 'Pipeline') {
    const steps = o.state.get('steps');
    const last = Array.isArray(steps) ? (steps[steps.length - 1] as unknown[] | undefined)?.[1] : undefined;
    return usesDecision(last);
  }
  if (o.cls === 'GridSearchCV' || o.cls === 'RandomizedSearchCV') return usesDecision(o.state.get('best_estimator_'));
  if (o.cls === 'BaggingClassifier' || o.cls === 'StackingClassifier') {
    return usesDecision(o.cls === 'BaggingClassifier' ? o.state.get('estimator_') ?? o.state.get('base_estimator_') : o.state.get('final_estimator_'));
  }
  return HAS_DECISION.has(o.cls);
}

/** IsotonicRegression.predict: clip (out_of_bounds='clip'), then scipy interp1d, linear. */
function isotonic(o: PyObject): (t: number) => number {
  const xs = arr(o, 'X_thresholds_').numbers();
  const ys = arr(o, 'y_thresholds_').numbers();
  const n = xs.length;
  if (n === 0 || ys.length !== n) bad('IsotonicRegression thresholds are empty or do not match');
  const oob = o.state.get('out_of_bounds') ?? 'nan';
  const lo = num(o.state.get('X_min_') ?? xs[0], 'X_min_');
  const hi = num(o.state.get('X_max_') ?? xs[n - 1], 'X_max_');
  return (t) => {
    if (n === 1) return ys[0]!;
    if (oob === 'clip') t = Math.min(Math.max(t, lo), hi);
    else if (t < xs[0]! || t > xs[n - 1]!) {
      if (oob === 'raise') bad(`IsotonicRegression: ${t} is outside the range it was fitted on`);
      return NaN;
    }
    // searchsorted (left), clipped to [1, n-1]
    let a = 0;
    let b = n;
    while (a < b) { const m = (a + b) >> 1; if (xs[m]! < t) a = m + 1; else b = m; }
    const i = Math.min(Math.max(a, 1), n - 1);
    const slope = (ys[i]! - ys[i - 1]!) / (xs[i]! - xs[i - 1]!);
    return slope * (t - xs[i - 1]!) + ys[i - 1]!;
  };
}

function calibrator(c: unknown, where: string): (t: number) => number {
  if (!(c instanceof PyObject)) return bad(`${where}: a calibrator is not an estimator`);
  if (c.cls === '_SigmoidCalibration') {
    const a = num(field(c, 'a_'), 'a_');
    const b = num(field(c, 'b_'), 'b_');
    return (t) => expit(-(a * t + b));
  }
  if (c.cls === 'IsotonicRegression') return isotonic(c);
  return unsupported(`${where} › ${c.cls}`);
}

/** One _CalibratedClassifier: its base's scores through a calibrator per class, normalised. */
function calibratedPair(cc: unknown, ctx: BuildContext, where: string, classes: Label[]): (x: Float64Array, out: Float64Array) => void {
  if (!(cc instanceof PyObject) || cc.cls !== '_CalibratedClassifier') bad(`${where}: calibrated_classifiers_ holds something else`);
  const est = cc.state.get('estimator') ?? cc.state.get('base_estimator');
  const base = ctx.final(est, at(where, 'estimator'));
  const K = classes.length;
  const decision = usesDecision(est);
  if (decision && !base.decision) unsupported(`${at(where, (est as PyObject).cls)}.decision_function`);
  const cals = field(cc, 'calibrators');
  if (!Array.isArray(cals)) bad(`${where}: calibrators is not a list`);
  const fns = cals.map((c) => calibrator(c, where));
  const pos = (base.classes ?? []).map((c) => classes.findIndex((k) => k === c || (typeof k !== 'string' && typeof c !== 'string' && Number(k) === Number(c))));
  if (pos.some((i) => i < 0)) bad(`${where}: the base estimator has classes the calibrated classifier has not`);
  const width = decision ? base.nDecision! : K === 2 ? 1 : base.classes!.length;
  const scores = new Float64Array(Math.max(base.classes!.length, width));
  return (x, out) => {
    if (decision) base.decision!(x, scores);
    else { base.proba(x, scores); if (K === 2) scores[0] = scores[1]!; }
    out.fill(0);
    const m = Math.min(pos.length, width, fns.length);
    for (let i = 0; i < m; i++) out[K === 2 ? pos[i]! + 1 : pos[i]!] = fns[i]!(scores[i]!);
    if (K === 2) out[0] = 1.0 - out[1]!;
    else {
      const denom = npSum(out);
      for (let c = 0; c < K; c++) out[c] = denom !== 0 ? out[c]! / denom : 1 / K;
    }
    for (let c = 0; c < K; c++) if (out[c]! > 1.0 && out[c]! <= 1.0 + 1e-5) out[c] = 1.0;
  };
}

function calibratedClassifierCV(o: PyObject, ctx: BuildContext, where: string): Base {
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  const list = field(o, 'calibrated_classifiers_');
  if (!Array.isArray(list) || list.length === 0) bad(`${where}: calibrated_classifiers_ is empty`);
  // every calibrated classifier's base is named "estimator", as inspect's step tree shows it
  const pairs = list.map((cc) => calibratedPair(cc, ctx, where, classes));
  const K = classes.length;
  const p = new Float64Array(K);
  const first = (list[0] as PyObject).state.get('estimator') ?? (list[0] as PyObject).state.get('base_estimator');
  const proba = (x: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (const f of pairs) { f(x, p); for (let c = 0; c < K; c++) out[c] = out[c]! + p[c]!; }
    for (let c = 0; c < K; c++) out[c] = out[c]! / pairs.length;
  };
  const scratch = new Float64Array(K);
  return {
    task: 'classifier', nFeatures: ctx.final(first, at(where, 'estimator')).nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true,
    proba, predictIndex: (x) => { proba(x, scratch); return argmax(scratch); }, predictValues: noValues,
  };
}

/** The target transformer's inverse_transform, value by value (one target). */
function inverseOf(t: unknown, where: string): (v: number, k: number) => number {
  if (!(t instanceof PyObject)) return bad(`${where}: transformer_ is not an estimator`);
  const v = (k: string) => optArr(t, k)?.numbers() ?? null;
  switch (t.cls) {
    case 'StandardScaler': {
      const scale = t.state.get('with_std') !== false ? v('scale_') : null;
      const mean = t.state.get('with_mean') !== false ? v('mean_') : null;
      return (y, k) => { if (scale) y = y * scale[k]!; if (mean) y = y + mean[k]!; return y; };
    }
    case 'MinMaxScaler': {
      const min = arr(t, 'min_').numbers();
      const scale = arr(t, 'scale_').numbers();
      return (y, k) => (y - min[k]!) / scale[k]!;
    }
    case 'RobustScaler': {
      const scale = t.state.get('with_scaling') !== false ? v('scale_') : null;
      const center = t.state.get('with_centering') !== false ? v('center_') : null;
      return (y, k) => { if (scale) y = y * scale[k]!; if (center) y = y + center[k]!; return y; };
    }
    case 'MaxAbsScaler': {
      const scale = arr(t, 'scale_').numbers();
      return (y, k) => y * scale[k]!;
    }
    case 'FunctionTransformer': {
      const kw = t.state.get('inv_kw_args');
      if (kw !== null && kw !== undefined && !(kw instanceof Map && kw.size === 0)) unsupported(`${where}: FunctionTransformer with inv_kw_args`);
      const f = ufuncOf(t.state.get('inverse_func'), `${where} › inverse_func`);
      return (y) => (f ? f(y) : y);
    }
    default:
      return unsupported(`${where} › ${t.cls} (as a target transformer)`);
  }
}

function transformedTargetRegressor(o: PyObject, ctx: BuildContext, where: string): Base {
  const reg = ctx.final(field(o, 'regressor_'), at(where, 'regressor'));
  if (reg.task !== 'regressor') bad(`${where}: regressor_ is not a regressor`);
  const inv = inverseOf(field(o, 'transformer_'), at(where, 'transformer'));
  const trainingDim = o.state.get('_training_dim');
  const n = reg.nOutputs;
  return {
    ...reg,
    scalarOutput: n === 1 && trainingDim !== 2 ? true : reg.scalarOutput,
    predictValues: (x, out) => {
      reg.predictValues(x, out);
      for (let k = 0; k < n; k++) out[k] = inv(out[k]!, k);
    },
  };
}

function searchCV(o: PyObject, ctx: BuildContext, where: string): Base {
  const best = o.state.get('best_estimator_');
  if (!(best instanceof PyObject)) {
    throw new UnsupportedEstimatorError(
      `not supported: ${at(where, o.cls)} was fitted with refit=False, so it holds no best_estimator_ to predict with`,
      supportedNames(),
      `Fit it with refit=True, or save search.best_estimator_ (or a model refitted with search.best_params_) instead.`,
    );
  }
  return ctx.final(best, at(where, 'best_estimator_'));
}

export function register(r: Registry): void {
  r.final('CalibratedClassifierCV', calibratedClassifierCV);
  r.final('TransformedTargetRegressor', transformedTargetRegressor);
  r.final('GridSearchCV', searchCV);
  r.final('RandomizedSearchCV', searchCV);
}
