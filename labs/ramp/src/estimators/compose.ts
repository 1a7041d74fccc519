// Composition: Pipeline, ColumnTransformer and FeatureUnion, as sklearn.compose and
// sklearn.pipeline apply their fitted parts.
import { InputError } from '../errors.ts';
import { NdArray } from '../numpy.ts';
import { PyObject, PySlice } from '../unpickler.ts';
import type { BuildContext, Registry } from './registry.ts';
import { bad, featureNames, nFeaturesOf, num } from './state.ts';
import type { Cell, Cells, InputColumn, Transformer } from './types.ts';

/** Cells to numbers, where sklearn would convert an object array to float (a string there is an error). */
export function toNumbers(x: Cells, where: string): Float64Array {
  if (x instanceof Float64Array) return x;
  const y = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const v = x[j]!;
    if (typeof v === 'string') throw new InputError(`${where}: the string ${JSON.stringify(v.slice(0, 40))} reached a step that needs numbers`, 'Send a number for this column, or encode it in the model (OneHotEncoder, OrdinalEncoder).');
    y[j] = v;
  }
  return y;
}

/** The columns a ColumnTransformer entry selects, as indices into the input. */
export function columnIndices(spec: unknown, names: string[] | null, nIn: number, where: string): number[] {
  const byName = (s: string): number => {
    const i = names ? names.indexOf(s) : -1;
    if (i < 0) bad(`${where}: column "${s}" is not among the features the model was fitted with`);
    return i;
  };
  const checkIndex = (i: number): number => {
    const k = i < 0 ? nIn + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= nIn) bad(`${where}: column index ${i} is out of range`);
    return k;
  };
  if (typeof spec === 'string') return [byName(spec)];
  if (typeof spec === 'number' || typeof spec === 'bigint') return [checkIndex(Number(spec))];
  if (spec instanceof PySlice) {
    const at = (v: unknown, d: number) => (v === null || v === undefined ? d : typeof v === 'string' ? byName(v) : num(v, 'slice'));
    // A slice of names includes its end; of indices it does not (pandas .loc vs .iloc).
    const named = typeof spec.start === 'string' || typeof spec.stop === 'string';
    const start = at(spec.start, 0);
    const stop = at(spec.stop, nIn) + (named && spec.stop !== null ? 1 : 0);
    const step = spec.step === null ? 1 : num(spec.step, 'slice step');
    if (step <= 0) bad(`${where}: slice step ${step}`);
    const out: number[] = [];
    for (let i = start < 0 ? nIn + start : start; i < Math.min(stop < 0 ? nIn + stop : stop, nIn); i += step) out.push(i);
    return out;
  }
  const list = spec instanceof NdArray ? Array.from(spec.values() as ArrayLike<unknown>) : Array.isArray(spec) ? spec : null;
  if (!list) return bad(`${where}: a column selector ramp cannot read (${typeof spec})`);
  if (list.length > 0 && list.every((v) => typeof v === 'boolean')) {
    if (list.length !== nIn) bad(`${where}: a boolean column mask of ${list.length} for ${nIn} columns`);
    return list.flatMap((b, i) => (b ? [i] : []));
  }
  return list.map((v) => (typeof v === 'string' ? byName(v) : checkIndex(num(v, `${where} column`))));
}

interface Part {
  name: string;
  cols: number[];
  /** null: passthrough. */
  t: Transformer | null;
  weight: number;
}

function columnTransformer(o: PyObject, ctx: BuildContext, where: string): Transformer {
  const nIn = nFeaturesOf(o);
  const names = featureNames(o);
  const list = o.state.get('transformers_');
  if (!Array.isArray(list)) bad(`${where}: ColumnTransformer.transformers_ is missing (is it fitted?)`);
  const weights = o.state.get('transformer_weights');
  const parts: Part[] = [];
  const kinds: InputColumn['kind'][] = new Array(nIn).fill('number');
  const categories: Array<string[] | undefined> = new Array(nIn).fill(undefined);
  for (const entry of list) {
    if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== 'string') bad(`${where}: a transformers_ entry is not (name, transformer, columns)`);
    const [name, trans, spec] = entry as [string, unknown, unknown];
    if (trans === 'drop') continue;
    const cols = columnIndices(spec, names, nIn, `${where} › ${name}`);
    if (cols.length === 0) continue;
    const weight = weights instanceof Map && weights.has(name) ? num(weights.get(name), 'transformer weight') : 1;
    if (trans === 'passthrough') {
      parts.push({ name, cols, t: null, weight });
      continue;
    }
    const t = ctx.transformer(trans, `${where} › ${name}`);
    if (t.nIn >= 0 && t.nIn !== cols.length) bad(`${where} › ${name}: ${cols.length} columns selected, the transformer was fitted on ${t.nIn}`);
    t.inputs?.forEach((k, i) => (kinds[cols[i]!] = k));
    t.categories?.forEach((c, i) => (categories[cols[i]!] = c));
    parts.push({ name, cols, t, weight });
  }
  const nOut = parts.reduce((s, p) => s + (p.t && p.t.nOut >= 0 ? p.t.nOut : p.cols.length), 0);
  return {
    nIn,
    nOut,
    inputs: kinds,
    categories,
    transform: (x) => {
      const y = new Float64Array(nOut);
      let at = 0;
      for (const p of parts) {
        const sub: Cell[] = p.cols.map((c) => x[c]!);
        const out = toNumbers(p.t ? p.t.transform(sub) : sub, `${where} › ${p.name}`);
        for (let k = 0; k < out.length; k++) y[at + k] = out[k]! * p.weight;
        at += out.length;
      }
      return y;
    },
  };
}

function featureUnion(o: PyObject, ctx: BuildContext, where: string): Transformer {
  const list = o.state.get('transformer_list');
  if (!Array.isArray(list)) bad(`${where}: FeatureUnion.transformer_list is missing`);
  const weights = o.state.get('transformer_weights');
  const parts: Part[] = [];
  let nIn = o.state.has('n_features_in_') ? nFeaturesOf(o) : -1;
  for (const entry of list) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') bad(`${where}: a transformer_list entry is not (name, transformer)`);
    const [name, trans] = entry as [string, unknown];
    if (trans === 'drop' || trans === null) continue;
    const weight = weights instanceof Map && weights.has(name) ? num(weights.get(name), 'transformer weight') : 1;
    const t = trans === 'passthrough' ? null : ctx.transformer(trans, `${where} › ${name}`);
    if (nIn < 0 && t) nIn = t.nIn;
    parts.push({ name, cols: [], t, weight });
  }
  if (nIn < 0) bad(`${where}: FeatureUnion has no n_features_in_`);
  for (const p of parts) p.cols = Array.from({ length: nIn }, (_, i) => i);
  const nOut = parts.reduce((s, p) => s + (p.t ? p.t.nOut : nIn), 0);
  return {
    nIn,
    nOut,
    inputs: parts.find((p) => p.t?.inputs)?.t?.inputs,
    transform: (x) => {
      const y = new Float64Array(nOut);
      let at = 0;
      for (const p of parts) {
        const out = toNumbers(p.t ? p.t.transform(x) : x, `${where} › ${p.name}`);
        for (let k = 0; k < out.length; k++) y[at + k] = out[k]! * p.weight;
        at += out.length;
      }
      return y;
    },
  };
}

/** The (name, estimator) steps of a Pipeline, without 'passthrough'/None. */
export function pipelineSteps(o: PyObject, where: string): Array<{ name: string; est: PyObject | null }> {
  const steps = o.state.get('steps');
  if (!Array.isArray(steps) || steps.length === 0) bad(`${where}: Pipeline.steps is not a list`);
  return steps.map((s) => {
    if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'string') bad(`${where}: a Pipeline step is not a (name, estimator) pair`);
    const est = s[1];
    if (est === null || est === 'passthrough') return { name: s[0] as string, est: null };
    if (!(est instanceof PyObject)) bad(`${where} › ${s[0]}: not an estimator`);
    return { name: s[0] as string, est };
  });
}

/** A Pipeline of transformers only (inside a ColumnTransformer, say). */
function transformerPipeline(o: PyObject, ctx: BuildContext, where: string): Transformer {
  const ts = pipelineSteps(o, where)
    .filter((s) => s.est)
    .map((s) => ctx.transformer(s.est, `${where} › ${s.name}`));
  if (ts.length === 0) bad(`${where}: Pipeline has no steps`);
  return {
    nIn: ts[0]!.nIn,
    nOut: ts[ts.length - 1]!.nOut,
    inputs: ts[0]!.inputs,
    // An imputer before an encoder keeps the columns: the encoder's categories are the column's.
    categories: ts.find((t) => t.categories && t.nIn === ts[0]!.nIn)?.categories,
    transform: (x) => {
      let y: Cells = x;
      for (const t of ts) y = t.transform(y);
      return y;
    },
  };
}

export function register(r: Registry): void {
  r.transformer('ColumnTransformer', columnTransformer);
  r.transformer('FeatureUnion', featureUnion);
  r.transformer('Pipeline', transformerPipeline);
}
