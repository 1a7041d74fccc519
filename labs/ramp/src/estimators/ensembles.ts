// Ensembles of any supported estimators, as sklearn.ensemble combines them: AdaBoost (SAMME,
// SAMME.R, weighted median), Bagging (feature subsets, averaged probabilities or votes), Voting
// (soft/hard, weights) and Stacking (stack_method_, passthrough, the binary drop-one-column rule).
// Children are built through the context, so any of them may be a Pipeline.
import { NdArray } from '../numpy.ts';
import { PyObject } from '../unpickler.ts';
import { toNumbers } from './compose.ts';
import { argmax, softmax } from './math.ts';
import { npSum } from './npsum.ts';
import type { BuildContext, Registry } from './registry.ts';
import { arr, bad, field, int, labelsOf, nFeaturesOf, num, unsupported } from './state.ts';
import { estimatorsList } from './trees.ts';
import { noProba, noValues, type Base, type Label } from './types.ts';

const EPS = 2.220446049250313e-16;

/** Children of a fitted ensemble, built as final estimators. */
function children(o: PyObject, ctx: BuildContext, where: string, names?: string[]): Base[] {
  return estimatorsList(o).map((e, i) => ctx.final(e, `${where ? `${where} › ` : ''}${names?.[i] ?? 'estimators_'}`));
}

/** Where each of a child's classes sits among the parent's (by label, as sklearn compares them). */
function classMap(child: Base, parent: Label[], where: string): Int32Array {
  if (!child.classes) bad(`${where}: a child is not a classifier`);
  return Int32Array.from(child.classes, (c) => {
    const i = parent.findIndex((p) => p === c || (typeof p !== 'string' && typeof c !== 'string' && Number(p) === Number(c)));
    if (i < 0) bad(`${where}: a child predicts ${String(c)}, not among the classes`);
    return i;
  });
}

function classifierShell(o: PyObject, nFeatures: number, probaFn: (x: Float64Array, out: Float64Array) => void, predictIndex: (x: Float64Array) => number): Base {
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  return { task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true, proba: probaFn, predictIndex, predictValues: noValues };
}

function regressorShell(nFeatures: number, value: (x: Float64Array) => number): Base {
  return {
    task: 'regressor', nFeatures, classes: null, labelType: null, nOutputs: 1, scalarOutput: true,
    proba: noProba, predictIndex: noProba, predictValues: (x, out) => { out[0] = value(x); },
  };
}

const nFeaturesFrom = (o: PyObject, kids: Base[]): number => nFeaturesOf(o, kids[0]!.nFeatures);

// ---------------------------------------------------------------------------- AdaBoost

function adaBoostClassifier(o: PyObject, ctx: BuildContext, where: string): Base {
  const kids = children(o, ctx, where);
  const { classes } = labelsOf(arr(o, 'classes_'));
  const K = classes.length;
  const weights = arr(o, 'estimator_weights_').numbers();
  const wsum = npSum(weights);
  const samme = field(o, 'algorithm') === 'SAMME';
  const maps = kids.map((k) => classMap(k, classes, where));
  const p = new Float64Array(K);
  const pred = new Float64Array(K);
  const decision = (x: Float64Array): Float64Array => {
    pred.fill(0);
    kids.forEach((kid, i) => {
      if (samme) {
        const c = maps[i]![kid.predictIndex(x)]!;
        pred[c] = pred[c]! + weights[i]!;
        return;
      }
      // _samme_proba: (K - 1) * (log p - mean log p)
      if (maps[i]!.length !== K) bad(`${where}: a boosted estimator saw only some classes`);
      kid.proba(x, p);
      for (let c = 0; c < K; c++) p[c] = Math.log(Math.max(p[c]!, EPS));
      const s = npSum(p);
      for (let c = 0; c < K; c++) pred[maps[i]![c]!] = pred[maps[i]![c]!]! + (K - 1) * (p[c]! - (1.0 / K) * s);
    });
    for (let c = 0; c < K; c++) pred[c] = pred[c]! / wsum;
    return pred;
  };
  const binary = (d: Float64Array): number => -d[0]! + d[1]!;
  const base = classifierShell(o, nFeaturesFrom(o, kids), (x, out) => {
    const d = decision(x);
    if (K === 2) { const v = binary(d); out[0] = -v / 2; out[1] = v / 2; } else for (let c = 0; c < K; c++) out[c] = d[c]! / (K - 1);
    softmax(out);
  }, (x) => (K === 2 ? (binary(decision(x)) > 0 ? 1 : 0) : argmax(decision(x))));
  base.nDecision = K === 2 ? 1 : K;
  base.decision = (x, out) => { const d = decision(x); if (K === 2) out[0] = binary(d); else out.set(d); };
  return base;
}

function adaBoostRegressor(o: PyObject, ctx: BuildContext, where: string): Base {
  const kids = children(o, ctx, where);
  const weights = arr(o, 'estimator_weights_').numbers();
  const n = kids.length;
  const preds = new Float64Array(n);
  const one = new Float64Array(1);
  return regressorShell(nFeaturesFrom(o, kids), (x) => {
    kids.forEach((k, i) => { k.predictValues(x, one); preds[i] = one[0]!; });
    // _get_median_predict: sort, cumulate the weights, take the first at or above half
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => preds[a]! - preds[b]! || a - b);
    const cdf = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) { s += weights[order[i]!]!; cdf[i] = s; }
    let i = 0;
    while (i < n - 1 && !(cdf[i]! >= 0.5 * cdf[n - 1]!)) i++;
    return preds[order[i]!]!;
  });
}

// ---------------------------------------------------------------------------- Bagging

function featureSubsets(o: PyObject, n: number): Int32Array[] {
  const f = field(o, 'estimators_features_');
  if (!Array.isArray(f) || f.length !== n) bad(`${o.cls}.estimators_features_ does not match estimators_`);
  const nIn = nFeaturesOf(o);
  return f.map((a) => {
    if (!(a instanceof NdArray)) bad(`${o.cls}.estimators_features_ holds something that is not an array`);
    const idx = Int32Array.from(a.numbers());
    for (const j of idx) if (!(j >= 0 && j < nIn)) bad(`${o.cls}: feature index ${j} out of range`);
    return idx;
  });
}

/** A row's columns idx, as X[:, features]; cells pass through unchanged. */
const pick = (x: ArrayLike<unknown>, idx: Int32Array): Float64Array => Array.from(idx, (j) => x[j]) as unknown as Float64Array;

function baggingClassifier(o: PyObject, ctx: BuildContext, where: string): Base {
  const kids = children(o, ctx, where);
  const feats = featureSubsets(o, kids.length);
  const { classes } = labelsOf(arr(o, 'classes_'));
  const K = classes.length;
  // the estimators were fitted on class indices 0..K-1
  const idxLabels = classes.map((_, i) => i);
  const maps = kids.map((k) => classMap(k, idxLabels, where));
  const nEst = int(field(o, 'n_estimators'), `${o.cls}.n_estimators`);
  const p = new Float64Array(K);
  const proba = (x: Float64Array, out: Float64Array): void => {
    out.fill(0);
    kids.forEach((kid, i) => {
      const sub = pick(x, feats[i]!);
      if (kid.hasProba === false) {
        const c = maps[i]![kid.predictIndex(sub)]!;
        out[c] = out[c]! + 1;
        return;
      }
      kid.proba(sub, p);
      for (let c = 0; c < maps[i]!.length; c++) out[maps[i]![c]!] = out[maps[i]![c]!]! + p[c]!;
    });
    for (let c = 0; c < K; c++) out[c] = out[c]! / nEst;
  };
  const scratch = new Float64Array(K);
  return classifierShell(o, nFeaturesOf(o), proba, (x) => { proba(x, scratch); return argmax(scratch); });
}

function baggingRegressor(o: PyObject, ctx: BuildContext, where: string): Base {
  const kids = children(o, ctx, where);
  const feats = featureSubsets(o, kids.length);
  const nEst = int(field(o, 'n_estimators'), `${o.cls}.n_estimators`);
  const one = new Float64Array(1);
  return regressorShell(nFeaturesOf(o), (x) => {
    let s = 0;
    kids.forEach((k, i) => { k.predictValues(pick(x, feats[i]!), one); s += one[0]!; });
    return s / nEst;
  });
}

// ---------------------------------------------------------------------------- Voting

/** Names of the fitted estimators (the `estimators` entries that are not 'drop') and their weights. */
function votingParts(o: PyObject): { names: string[]; weights: number[] | null } {
  const est = o.state.get('estimators');
  const list = Array.isArray(est) ? est.filter((e) => Array.isArray(e) && e[1] !== 'drop') : [];
  const names = list.map((e) => String((e as unknown[])[0]));
  const w = o.state.get('weights');
  if (w === null || w === undefined) return { names, weights: null };
  const all = w instanceof NdArray ? Array.from(w.numbers()) : Array.isArray(w) ? w.map((v) => num(v, `${o.cls}.weights`)) : bad(`${o.cls}.weights is not a list`);
  const kept = Array.isArray(est) ? all.filter((_, i) => (est[i] as unknown[])?.[1] !== 'drop') : all;
  return { names, weights: kept };
}

function votingClassifier(o: PyObject, ctx: BuildContext, where: string): Base {
  const { names, weights } = votingParts(o);
  const kids = children(o, ctx, where, names);
  if (weights && weights.length !== kids.length) bad(`${where}: ${weights.length} weights for ${kids.length} estimators`);
  const { classes } = labelsOf(arr(o, 'classes_'));
  const K = classes.length;
  const maps = kids.map((k) => classMap(k, classes.map((_, i) => i), where));
  const soft = field(o, 'voting') === 'soft';
  const wsum = weights ? weights.reduce((a, b) => a + b, 0) : kids.length;
  const p = new Float64Array(K);
  const proba = (x: Float64Array, out: Float64Array): void => {
    // np.average over the estimators: sum of (p * w), then divided by the sum of weights
    out.fill(0);
    kids.forEach((kid, i) => {
      kid.proba(x, p);
      for (let c = 0; c < K; c++) out[maps[i]![c]!] = out[maps[i]![c]!]! + (weights ? p[c]! * weights[i]! : p[c]!);
    });
    for (let c = 0; c < K; c++) out[c] = out[c]! / wsum;
  };
  const votes = new Float64Array(K);
  const predictIndex = (x: Float64Array): number => {
    if (soft) { proba(x, p); return argmax(p); }
    // argmax(bincount(predictions, weights)): the smallest class index wins a tie
    votes.fill(0);
    kids.forEach((kid, i) => { const c = maps[i]![kid.predictIndex(x)]!; votes[c] = votes[c]! + (weights ? weights[i]! : 1); });
    return argmax(votes);
  };
  const base = classifierShell(o, nFeaturesFrom(o, kids), soft ? proba : () => bad(`${where || o.cls}: predict_proba is not available when voting='hard'`), predictIndex);
  if (!soft) base.hasProba = false;
  return base;
}

function votingRegressor(o: PyObject, ctx: BuildContext, where: string): Base {
  const { names, weights } = votingParts(o);
  const kids = children(o, ctx, where, names);
  const preds = new Float64Array(kids.length);
  const one = new Float64Array(1);
  const w = weights ? Float64Array.from(weights) : null;
  const wsum = w ? npSum(w) : kids.length;
  return regressorShell(nFeaturesFrom(o, kids), (x) => {
    kids.forEach((k, i) => { k.predictValues(x, one); preds[i] = w ? one[0]! * w[i]! : one[0]!; });
    return npSum(preds) / wsum;
  });
}

// ---------------------------------------------------------------------------- Stacking

function stackingInputs(o: PyObject, ctx: BuildContext, where: string, nClasses: number): { n: number; nIn: number; meta: (x: Float64Array) => Float64Array } {
  const list = field(o, 'estimators_');
  const methods = field(o, 'stack_method_');
  if (!Array.isArray(list) || !Array.isArray(methods)) bad(`${where}: ${o.cls} has no estimators_/stack_method_`);
  const names = votingParts(o).names;
  const parts: Array<{ kid: Base; how: string; width: number }> = [];
  list.forEach((e, i) => {
    if (e === 'drop') return;
    const kid = ctx.final(e, `${where ? `${where} › ` : ''}${names[parts.length] ?? `estimators_[${i}]`}`);
    const how = String(methods[i]);
    if (how === 'decision_function' && !kid.decision) unsupported(`${where ? `${where} › ` : ''}${(e as PyObject).cls}.decision_function`);
    const width = how === 'predict_proba' ? (nClasses === 2 ? 1 : nClasses) : how === 'decision_function' ? kid.nDecision! : 1;
    if (how !== 'predict_proba' && how !== 'decision_function' && how !== 'predict') bad(`${where}: stack method ${how}`);
    parts.push({ kid, how, width });
  });
  const passthrough = o.state.get('passthrough') === true;
  const nIn = nFeaturesOf(o, parts[0]?.kid.nFeatures);
  const n = parts.reduce((s, p) => s + p.width, 0) + (passthrough ? nIn : 0);
  const buf = new Float64Array(Math.max(nClasses, 1));
  return {
    n,
    nIn,
    meta: (x) => {
      const m = new Float64Array(n);
      let at = 0;
      for (const { kid, how, width } of parts) {
        if (how === 'predict_proba') { kid.proba(x, buf); m.set(nClasses === 2 ? buf.subarray(1, 2) : buf.subarray(0, nClasses), at); }
        else if (how === 'decision_function') { kid.decision!(x, buf); m.set(buf.subarray(0, width), at); }
        else if (kid.task === 'classifier') m[at] = Number(kid.classes![kid.predictIndex(x)]);
        else { kid.predictValues(x, buf); m[at] = buf[0]!; }
        at += width;
      }
      if (passthrough) m.set(toNumbers(x, `${where || o.cls} passthrough`), at);
      return m;
    },
  };
}

function stackingClassifier(o: PyObject, ctx: BuildContext, where: string): Base {
  const { classes } = labelsOf(arr(o, 'classes_'));
  const { meta, n, nIn } = stackingInputs(o, ctx, where, classes.length);
  const fin = ctx.final(field(o, 'final_estimator_'), `${where ? `${where} › ` : ''}final_estimator`);
  if (fin.nFeatures !== n) bad(`${where}: the final estimator takes ${fin.nFeatures} features, the stack gives ${n}`);
  // the final estimator was fitted on class indices (the label encoder's)
  const map = classMap(fin, classes.map((_, i) => i), where);
  const p = new Float64Array(classes.length);
  const base = classifierShell(o, nIn, (x, out) => {
    fin.proba(meta(x), p);
    out.fill(0);
    for (let c = 0; c < map.length; c++) out[map[c]!] = p[c]!;
  }, (x) => map[fin.predictIndex(meta(x))]!);
  if (fin.hasProba === false) base.hasProba = false;
  return base;
}

function stackingRegressor(o: PyObject, ctx: BuildContext, where: string): Base {
  const { meta, n, nIn } = stackingInputs(o, ctx, where, 0);
  const fin = ctx.final(field(o, 'final_estimator_'), `${where ? `${where} › ` : ''}final_estimator`);
  if (fin.nFeatures !== n) bad(`${where}: the final estimator takes ${fin.nFeatures} features, the stack gives ${n}`);
  const one = new Float64Array(1);
  return regressorShell(nIn, (x) => { fin.predictValues(meta(x), one); return one[0]!; });
}

export function register(r: Registry): void {
  r.final('AdaBoostClassifier', adaBoostClassifier);
  r.final('AdaBoostRegressor', adaBoostRegressor);
  r.final('BaggingClassifier', baggingClassifier);
  r.final('BaggingRegressor', baggingRegressor);
  r.final('VotingClassifier', votingClassifier);
  r.final('VotingRegressor', votingRegressor);
  r.final('StackingClassifier', stackingClassifier);
  r.final('StackingRegressor', stackingRegressor);
}
