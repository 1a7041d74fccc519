// Turning an unpickled scikit-learn object into a model ramp can run. Each family of estimators
// registers its builders (registry.ts); this file composes them: a Pipeline's transformers feed its
// final estimator, and meta-estimators build their children through the same context.
import { InputError, MalformedPickleError, UnsupportedEstimatorError } from '../errors.ts';
import { Inert, PyObject } from '../unpickler.ts';
import { pipelineSteps, register as registerCompose, toNumbers } from './compose.ts';
import { register as registerFeatures } from './features.ts';
import { register as registerCluster } from './cluster.ts';
import { register as registerEnsembles } from './ensembles.ts';
import { register as registerLinear } from './linear.ts';
import { register as registerMeta } from './meta.ts';
import { register as registerNeighbors } from './neighbors.ts';
import { register as registerLinearClassifiers } from './linear-classifiers.ts';
import { register as registerNaiveBayes } from './naive-bayes.ts';
import { register as registerPreprocessing } from './preprocessing.ts';
import { finalBuilder, registry, supportedNames, transformerBuilder, type BuildContext } from './registry.ts';
import { featureNames, sklearnVersion } from './state.ts';
import { adviceFor } from './structure.ts';
import { register as registerText } from './text.ts';
import { register as registerHistGradientBoosting } from './hist-gradient-boosting.ts';
import { register as registerSvm } from './svm.ts';
import { register as registerTrees } from './trees.ts';
import { register as registerXgboost } from './xgboost.ts';
import { noProba, type Base, type Cells, type InputColumn, type Label, type Model, type Transformer } from './types.ts';

export type { Cell, Cells, InputColumn, Label, LabelType, Model } from './types.ts';
export { supportedNames } from './registry.ts';

registerLinear(registry);
registerLinearClassifiers(registry);
registerTrees(registry);
registerHistGradientBoosting(registry);
registerSvm(registry);
registerNaiveBayes(registry);
registerPreprocessing(registry);
registerCompose(registry);
registerFeatures(registry);
registerText(registry);
registerNeighbors(registry);
registerCluster(registry);
registerEnsembles(registry);
registerMeta(registry);
registerXgboost(registry);

/** A step ramp cannot run: named by its path in the model, with what to do about it. */
export function notSupported(what: string, where: string): never {
  const path = where ? `${where} › ${what}` : what;
  throw new UnsupportedEstimatorError(`not supported yet: ${path}`, supportedNames(), adviceFor(what));
}

export function describeValue(v: unknown): string {
  if (v instanceof PyObject) return v.cls;
  if (v instanceof Inert) return v.what;
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (v instanceof Map) return 'dict';
  return typeof v;
}

const NATIVE_MISSING = new Set(['HistGradientBoostingClassifier', 'HistGradientBoostingRegressor', 'XGBClassifier', 'XGBRegressor']);

const ctx: BuildContext = {
  transformer(o, where) {
    if (!(o instanceof PyObject)) return notSupported(describeValue(o), where);
    const b = transformerBuilder(o.cls);
    if (!b) return notSupported(o.cls, where);
    return b(o, ctx, where);
  },
  final(o, where) {
    if (!(o instanceof PyObject)) return notSupported(describeValue(o), where);
    if (o.cls === 'Pipeline') return pipelineBase(o, where);
    const b = finalBuilder(o.cls);
    if (b) {
      const base = b(o, ctx, where);
      // These route missing values down their trees themselves: NaN is an input, not an error.
      if (NATIVE_MISSING.has(o.cls)) base.allowsMissing = true;
      return base;
    }
    if (transformerBuilder(o.cls)) return transformerAsBase(ctx.transformer(o, where));
    return notSupported(o.cls, where);
  },
};

function transformerAsBase(t: Transformer): Base {
  return {
    task: 'transformer', nFeatures: t.nIn, inputKinds: t.inputs, inputCategories: t.categories, classes: null, labelType: null, nOutputs: t.nOut, scalarOutput: false,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => out.set(toNumbers(t.transform(x), 'transform')),
  };
}

/** A Pipeline's transformers, then its last step; the model's input is the first step's. */
function pipelineBase(o: PyObject, where: string): Base & { first: Transformer | null; firstEst: PyObject } {
  const active = pipelineSteps(o, where).filter((s) => s.est) as Array<{ name: string; est: PyObject }>;
  if (active.length === 0) throw new MalformedPickleError(`${where}: Pipeline has no estimators`);
  const at = (name: string) => (where ? `${where} › ${name}` : name);
  const ts = active.slice(0, -1).map((s) => ctx.transformer(s.est, at(s.name)));
  const lastStep = active[active.length - 1]!;
  const last = ctx.final(lastStep.est, at(lastStep.name));
  const pre = (x: Cells): Float64Array => {
    let y: Cells = x;
    for (const t of ts) y = t.transform(y);
    const v = toNumbers(y, at(lastStep.name));
    if (!last.allowsMissing) refuseMissing(v, x, lastStep.est.cls, namesOf(o));
    return v;
  };
  const first = ts[0] ?? null;
  return {
    ...last,
    nFeatures: first ? first.nIn : last.nFeatures,
    first: first ?? (last as Base & { first?: Transformer | null }).first ?? null,
    firstEst: active[0]!.est,
    inputKinds: first?.inputs ?? last.inputKinds,
    inputCategories: first?.categories ?? last.inputCategories,
    proba: (x, out) => last.proba(pre(x), out),
    predictIndex: (x) => last.predictIndex(pre(x)),
    predictValues: (x, out) => last.predictValues(pre(x), out),
    decision: last.decision && ((x, out) => last.decision!(pre(x), out)),
    scoreSamples: last.scoreSamples && ((x) => last.scoreSamples!(pre(x))),
  };
}

/** Input column names: the estimator's own, or those of the first part that saw the input. */
function namesOf(o: unknown, depth = 0): string[] | null {
  if (!(o instanceof PyObject) || depth > 20) return null;
  const own = featureNames(o);
  if (own) return own;
  const first = (key: string): unknown => {
    const list = o.state.get(key);
    const entry = Array.isArray(list) ? list.find((e) => Array.isArray(e) && e[1] instanceof PyObject) : undefined;
    return Array.isArray(entry) ? entry[1] : undefined;
  };
  if (o.cls === 'Pipeline') return namesOf(first('steps'), depth + 1);
  if (o.cls === 'FeatureUnion') return namesOf(first('transformer_list'), depth + 1);
  return null;
}

/**
 * sklearn refuses NaN where an estimator cannot handle it ("Input X contains NaN"): say which input
 * columns were missing in the row and what to do.
 */
function refuseMissing(v: ArrayLike<number>, input: Cells, cls: string, names: string[] | null): void {
  for (let j = 0; j < v.length; j++) {
    if (v[j] === v[j]) continue;
    const missing: string[] = [];
    for (let i = 0; i < input.length; i++) if (typeof input[i] === 'number' && input[i] !== input[i]) missing.push(names?.[i] ? `"${names[i]}"` : `feature ${i}`);
    throw new InputError(`${missing.length ? `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing` : 'a value is missing after preprocessing'}, and ${cls} needs a value there (scikit-learn: "Input X contains NaN")`, 'Send a value, or impute missing values in the model (SimpleImputer), as the training pipeline should.');
  }
}

function guardMissing(base: Base, cls: string, names: string[] | null): Base {
  if (base.allowsMissing || base.task === 'transformer') return base;
  const check = (x: Cells): void => refuseMissing(x as ArrayLike<number>, x, cls, names);
  return {
    ...base,
    proba: (x, out) => { check(x); base.proba(x, out); },
    predictIndex: (x) => { check(x); return base.predictIndex(x); },
    predictValues: (x, out) => { check(x); base.predictValues(x, out); },
  };
}

function inputsOf(n: number, names: string[] | null, base: Base): InputColumn[] {
  return Array.from({ length: n }, (_, j) => {
    const categories = base.inputCategories?.[j];
    return { name: names?.[j] ?? null, kind: base.inputKinds?.[j] ?? 'number', ...(categories ? { categories } : {}) };
  });
}

/** Turn the unpickled root object into a runnable model. */
export function buildModel(root: unknown): Model {
  if (!(root instanceof PyObject)) return notSupported(describeValue(root), '');
  if (root.cls === 'NumpyArrayWrapper') notSupported('a bare numpy array (not a model)', '');
  const version = sklearnVersion(root);
  if (root.cls === 'Pipeline') {
    const p = pipelineBase(root, '');
    const steps = pipelineSteps(root, '').map((s) => ({ name: s.name, estimator: s.est ? s.est.cls : 'passthrough' }));
    const names = namesOf(root);
    return { ...p, estimator: 'Pipeline', steps, featureNames: names, sklearnVersion: version, inputs: inputsOf(p.nFeatures, names, p) };
  }
  const base = guardMissing(ctx.final(root, ''), root.cls, namesOf(root));
  const names = namesOf(root);
  return { ...base, estimator: root.cls, steps: [{ name: root.cls, estimator: root.cls }], featureNames: names, sklearnVersion: version, inputs: inputsOf(base.nFeatures, names, base) };
}

// ---------------------------------------------------------------------------
// batch helpers

export interface Predictions {
  predictions: Array<Label | number | number[]>;
  probabilities?: number[][];
}

export function predictRows(model: Model, rows: Cells[], withProba: boolean): Predictions {
  const preds: Array<Label | number | number[]> = [];
  const probas: number[][] = [];
  const k = model.task === 'classifier' ? model.classes!.length : model.nOutputs;
  const buf = new Float64Array(Math.max(1, k));
  rows.forEach((r, i) =>
    atRow(i, () => {
      if (model.task === 'classifier') {
        preds.push(model.classes![model.predictIndex(r)]!);
        if (withProba) {
          model.proba(r, buf);
          probas.push(Array.from(buf));
        }
      } else {
        model.predictValues(r, buf);
        preds.push(model.scalarOutput ? buf[0]! : Array.from(buf));
      }
    }),
  );
  return withProba ? { predictions: preds, probabilities: probas } : { predictions: preds };
}

/** Runs fn for row i; an input error names the row. */
export function atRow<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError && !e.message.startsWith('row ')) e.message = `row ${i}: ${e.message}`;
    throw e;
  }
}
