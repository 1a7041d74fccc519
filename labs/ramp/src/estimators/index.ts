// Turning an unpickled scikit-learn object into a model ramp can run. Each family of estimators
// registers its builders (registry.ts); this file composes them: a Pipeline's transformers feed its
// final estimator, and meta-estimators build their children through the same context.
import { MalformedPickleError, UnsupportedEstimatorError } from '../errors.ts';
import { Inert, PyObject } from '../unpickler.ts';
import { pipelineSteps, register as registerCompose, toNumbers } from './compose.ts';
import { register as registerLinearClassifiers } from './linear-classifiers.ts';
import { register as registerLinear } from './linear.ts';
import { register as registerNaiveBayes } from './naive-bayes.ts';
import { register as registerPreprocessing } from './preprocessing.ts';
import { finalBuilder, registry, supportedNames, transformerBuilder, type BuildContext } from './registry.ts';
import { featureNames, sklearnVersion } from './state.ts';
import { adviceFor } from './structure.ts';
import { register as registerHistGradientBoosting } from './hist-gradient-boosting.ts';
import { register as registerSvm } from './svm.ts';
import { register as registerTrees } from './trees.ts';
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
    if (b) return b(o, ctx, where);
    if (transformerBuilder(o.cls)) return transformerAsBase(ctx.transformer(o, where));
    return notSupported(o.cls, where);
  },
};

function transformerAsBase(t: Transformer): Base {
  return {
    task: 'transformer', nFeatures: t.nIn, inputKinds: t.inputs, classes: null, labelType: null, nOutputs: t.nOut, scalarOutput: false,
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
    return toNumbers(y, at(lastStep.name));
  };
  const first = ts[0] ?? null;
  return {
    ...last,
    nFeatures: first ? first.nIn : last.nFeatures,
    first: first ?? (last as Base & { first?: Transformer | null }).first ?? null,
    firstEst: active[0]!.est,
    inputKinds: first?.inputs ?? last.inputKinds,
    proba: (x, out) => last.proba(pre(x), out),
    predictIndex: (x) => last.predictIndex(pre(x)),
    predictValues: (x, out) => last.predictValues(pre(x), out),
    decision: last.decision ? (x, out) => last.decision!(pre(x), out) : undefined,
  };
}

function inputsOf(n: number, names: string[] | null, kinds: InputColumn['kind'][] | undefined): InputColumn[] {
  return Array.from({ length: n }, (_, j) => ({ name: names?.[j] ?? null, kind: kinds?.[j] ?? 'number' }));
}

/** Turn the unpickled root object into a runnable model. */
export function buildModel(root: unknown): Model {
  if (!(root instanceof PyObject)) return notSupported(describeValue(root), '');
  if (root.cls === 'NumpyArrayWrapper') notSupported('a bare numpy array (not a model)', '');
  const version = sklearnVersion(root);
  if (root.cls === 'Pipeline') {
    const p = pipelineBase(root, '');
    const steps = pipelineSteps(root, '').map((s) => ({ name: s.name, estimator: s.est ? s.est.cls : 'passthrough' }));
    const names = featureNames(p.firstEst) ?? featureNames(root);
    return { ...p, estimator: 'Pipeline', steps, featureNames: names, sklearnVersion: version, inputs: inputsOf(p.nFeatures, names, p.inputKinds) };
  }
  const base = ctx.final(root, '');
  const names = featureNames(root);
  return { ...base, estimator: root.cls, steps: [{ name: root.cls, estimator: root.cls }], featureNames: names, sklearnVersion: version, inputs: inputsOf(base.nFeatures, names, base.inputKinds) };
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
