// Column-wise preprocessing, as sklearn.preprocessing and sklearn.impute compute it: scalers,
// the imputer, and the encoders that turn strings into numbers.
import { InputError } from '../errors.ts';
import { NdArray } from '../numpy.ts';
import { GlobalRef, PyObject } from '../unpickler.ts';
import type { Registry } from './registry.ts';
import { arr, bad, nFeaturesOf, num, optArr, unsupported } from './state.ts';
import type { Cell, Transformer } from './types.ts';

const isMissing = (v: Cell | null | undefined): boolean => v === null || v === undefined || (typeof v === 'number' && v !== v);

/** A numeric transformer applied column by column: out[j] = f(x[j], j). */
function perColumn(nFeatures: number, f: (v: number, j: number) => number): Transformer {
  return {
    nIn: nFeatures,
    nOut: nFeatures,
    transform: (x) => {
      const y = new Float64Array(nFeatures);
      for (let j = 0; j < nFeatures; j++) y[j] = f(x[j] as number, j);
      return y;
    },
  };
}

function standardScaler(o: PyObject): Transformer {
  const withMean = o.state.get('with_mean') !== false;
  const withStd = o.state.get('with_std') !== false;
  const mean = withMean ? optArr(o, 'mean_')?.numbers() ?? null : null;
  const scale = withStd ? optArr(o, 'scale_')?.numbers() ?? null : null;
  return perColumn(nFeaturesOf(o), (v, j) => {
    if (mean) v = v - mean[j]!;
    if (scale) v = v / scale[j]!;
    return v;
  });
}

function minMaxScaler(o: PyObject): Transformer {
  const scale = arr(o, 'scale_').numbers();
  const min = arr(o, 'min_').numbers();
  const clip = o.state.get('clip') === true;
  const fr = o.state.get('feature_range');
  const lo = Array.isArray(fr) ? num(fr[0], 'feature_range') : 0;
  const hi = Array.isArray(fr) ? num(fr[1], 'feature_range') : 1;
  return perColumn(nFeaturesOf(o), (v, j) => {
    v = v * scale[j]! + min[j]!;
    return clip ? Math.min(Math.max(v, lo), hi) : v;
  });
}

function maxAbsScaler(o: PyObject): Transformer {
  const scale = arr(o, 'scale_').numbers();
  return perColumn(nFeaturesOf(o), (v, j) => v / scale[j]!);
}

function robustScaler(o: PyObject): Transformer {
  const center = o.state.get('with_centering') !== false ? optArr(o, 'center_')?.numbers() ?? null : null;
  const scale = o.state.get('with_scaling') !== false ? optArr(o, 'scale_')?.numbers() ?? null : null;
  return perColumn(nFeaturesOf(o), (v, j) => {
    if (center) v = v - center[j]!;
    if (scale) v = v / scale[j]!;
    return v;
  });
}

function binarizer(o: PyObject): Transformer {
  const t = num(o.state.get('threshold') ?? 0, 'Binarizer.threshold');
  return perColumn(nFeaturesOf(o), (v) => (v > t ? 1 : 0));
}

/** sklearn.preprocessing.normalize, row by row; a zero norm leaves the row as it is. */
function normalizer(o: PyObject): Transformer {
  const norm = o.state.get('norm') ?? 'l2';
  if (norm !== 'l1' && norm !== 'l2' && norm !== 'max') bad(`Normalizer norm ${String(norm)}`);
  const n = nFeaturesOf(o);
  return {
    nIn: n,
    nOut: n,
    transform: (x) => {
      const y = Float64Array.from(x as ArrayLike<number>);
      let s = 0;
      for (let j = 0; j < n; j++) {
        const v = y[j]!;
        if (norm === 'l2') s += v * v;
        else if (norm === 'l1') s += Math.abs(v);
        else s = Math.max(s, Math.abs(v));
      }
      if (norm === 'l2') s = Math.sqrt(s);
      if (s === 0) s = 1;
      for (let j = 0; j < n; j++) y[j] = y[j]! / s;
      return y;
    },
  };
}

// --- categories --------------------------------------------------------------------------------

/** A category list (categories_[i]) with a lookup that matches numpy's equality (NaN matches NaN). */
export class Categories {
  readonly values: unknown[];
  readonly strings: boolean;
  private index = new Map<unknown, number>();
  private missing = -1;
  constructor(a: NdArray) {
    this.values = Array.from(a.values() as ArrayLike<unknown>);
    this.strings = this.values.some((v) => typeof v === 'string');
    this.values.forEach((v, i) => {
      if (v === null || (typeof v === 'number' && v !== v)) {
        if (this.missing < 0 || v !== null) this.missing = i;
      } else this.index.set(typeof v === 'bigint' ? Number(v) : v, i);
    });
  }
  get size(): number {
    return this.values.length;
  }
  /** The string categories (for help and examples), or undefined for numeric ones. */
  known(): string[] | undefined {
    return this.strings ? this.values.filter((v): v is string => typeof v === 'string') : undefined;
  }
  /** Index of v, or -1 when v is a category sklearn did not see in fit. */
  find(v: Cell): number {
    if (isMissing(v)) return this.missing;
    return this.index.get(v) ?? -1;
  }
}

function categoriesOf(o: PyObject): Categories[] {
  const c = o.state.get('categories_');
  if (!Array.isArray(c)) bad(`${o.cls}.categories_ is not a list of arrays`);
  return c.map((a, i) => {
    if (!(a instanceof NdArray) || a.isPending) bad(`${o.cls}.categories_[${i}] is not an array`);
    return new Categories(a);
  });
}

const nameOf = (o: PyObject, j: number): string => {
  const names = o.state.get('feature_names_in_');
  const v = names instanceof NdArray ? (names.values() as ArrayLike<unknown>)[j] : undefined;
  return typeof v === 'string' ? `"${v}"` : `column ${j}`;
};

function unknownCategory(o: PyObject, j: number, v: Cell): never {
  throw new InputError(`${o.cls}: ${nameOf(o, j)} has the value ${JSON.stringify(v)}, a category the model did not see in training`, `The model was fitted with handle_unknown="error". Send one of the known categories (ramp inspect lists them), or refit with handle_unknown="ignore".`);
}

const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v, 'index'));

function oneHotEncoder(o: PyObject): Transformer {
  const cats = categoriesOf(o);
  const handle = o.state.get('handle_unknown') ?? 'error';
  const dropRaw = o.state.get('drop_idx_');
  const drop = dropRaw instanceof NdArray ? Array.from(dropRaw.values() as ArrayLike<unknown>, intOrNull) : null;
  const infrequent = (o.state.get('_infrequent_enabled') === true ? (o.state.get('_infrequent_indices') as unknown[]) : null) ?? null;
  const mappings = infrequent ? (o.state.get('_default_to_infrequent_mappings') as unknown[]) : null;
  const outs = o.state.get('_n_features_outs');
  const widths = Array.isArray(outs) ? outs.map((w) => num(w, '_n_features_outs')) : cats.map((c, i) => c.size - (drop?.[i] != null ? 1 : 0));
  const offsets = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
  const nOut = widths.reduce((a, b) => a + b, 0);
  const infreqFirst = cats.map((_, i) => {
    const idx = infrequent?.[i];
    return idx instanceof NdArray ? idx.numbers()[0]! : -1;
  });
  const maps = cats.map((_, i) => (mappings?.[i] instanceof NdArray ? (mappings[i] as NdArray).numbers() : null));
  return {
    nIn: cats.length,
    nOut,
    inputs: cats.map((c) => (c.strings ? 'string' : 'number')),
    categories: cats.map((c) => c.known()),
    transform: (x) => {
      const y = new Float64Array(nOut);
      for (let j = 0; j < cats.length; j++) {
        let k = cats[j]!.find(x[j]!);
        let valid = k >= 0;
        if (!valid) {
          if (handle === 'error') unknownCategory(o, j, x[j]!);
          if (infreqFirst[j]! >= 0) {
            k = infreqFirst[j]!;
            if (handle === 'infrequent_if_exist') valid = true;
          }
        }
        if (k >= 0 && maps[j]) k = maps[j]![k]!;
        const d = drop?.[j];
        if (d != null && k >= 0) {
          if (k === d) valid = false;
          else if (k > d) k -= 1;
        }
        if (valid) y[offsets[j]! + k] = 1;
      }
      return y;
    },
  };
}

function ordinalEncoder(o: PyObject): Transformer {
  const cats = categoriesOf(o);
  const useEncoded = o.state.get('handle_unknown') === 'use_encoded_value';
  const unknownValue = useEncoded ? num(o.state.get('unknown_value'), 'OrdinalEncoder.unknown_value') : NaN;
  const missingValue = o.state.has('encoded_missing_value') ? num(o.state.get('encoded_missing_value'), 'encoded_missing_value') : NaN;
  const missingIdx = o.state.get('_missing_indices');
  const missingAt = new Map<number, number>();
  if (missingIdx instanceof Map) for (const [k, v] of missingIdx) missingAt.set(num(k, 'index'), num(v, 'index'));
  return {
    nIn: cats.length,
    nOut: cats.length,
    inputs: cats.map((c) => (c.strings ? 'string' : 'number')),
    categories: cats.map((c) => c.known()),
    transform: (x) => {
      const y = new Float64Array(cats.length);
      for (let j = 0; j < cats.length; j++) {
        const k = cats[j]!.find(x[j]!);
        if (k < 0) {
          if (!useEncoded) unknownCategory(o, j, x[j]!);
          y[j] = unknownValue;
        } else y[j] = missingAt.get(j) === k ? missingValue : k;
      }
      return y;
    },
  };
}

// --- SimpleImputer -----------------------------------------------------------------------------

function simpleImputer(o: PyObject, ctx: unknown, where: string): Transformer {
  const stats = arr(o, 'statistics_');
  const values = Array.from(stats.values() as ArrayLike<unknown>) as Cell[];
  const n = values.length;
  const strategy = o.state.get('strategy') ?? 'mean';
  const keepEmpty = o.state.get('keep_empty_features') === true;
  const mv = o.state.get('missing_values');
  const target = mv === undefined ? NaN : (mv as Cell | null);
  const matchesMissing = (v: Cell): boolean => (target === null || (typeof target === 'number' && target !== target) ? isMissing(v) : v === target);
  // Features with no value at fit time are dropped (statistic NaN), except with 'constant'.
  const kept = values.map((s, j) => (strategy === 'constant' || keepEmpty || !isMissing(s) ? j : -1)).filter((j) => j >= 0);
  const indicatorObj = o.state.get('indicator_');
  let indicator: number[] = [];
  if (o.state.get('add_indicator') === true) {
    if (!(indicatorObj instanceof PyObject)) bad(`${where}: SimpleImputer.indicator_ is missing`);
    const f = indicatorObj.state.get('features_');
    if (!(f instanceof NdArray)) bad(`${where}: MissingIndicator.features_ is not an array`);
    indicator = Array.from(f.numbers());
    if (indicatorObj.state.get('features') === 'all') indicator = values.map((_, j) => j);
  }
  const strings = values.some((v) => typeof v === 'string');
  const nOut = kept.length + indicator.length;
  return {
    nIn: n,
    nOut,
    inputs: values.map(() => (strings ? 'string' : 'number')),
    transform: (x) => {
      // Object-dtype imputers (most_frequent, constant on strings) output cells for the encoder that follows.
      const y = (strings ? new Array<Cell>(nOut) : new Float64Array(nOut)) as Cell[];
      for (let i = 0; i < kept.length; i++) {
        const j = kept[i]!;
        const v = x[j]!;
        y[i] = matchesMissing(v) ? values[j]! : v;
      }
      for (let i = 0; i < indicator.length; i++) y[kept.length + i] = matchesMissing(x[indicator[i]!]!) ? 1 : 0;
      return y;
    },
  };
}

// --- FunctionTransformer ------------------------------------------------------------------------

const UFUNC_IMPL: Record<string, (v: number) => number> = {
  log1p: Math.log1p,
  expm1: Math.expm1,
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  square: (v) => v * v,
  absolute: Math.abs,
};

/** The function a FunctionTransformer names: identity, or one of the ufuncs ramp implements. */
export function ufuncOf(v: unknown, where: string): ((v: number) => number) | null {
  if (v === null || v === undefined) return null;
  if (v instanceof GlobalRef && v.entry.kind === 'ref' && v.entry.what.startsWith('ufunc:')) return UFUNC_IMPL[v.entry.what.slice(6)]!;
  return unsupported(`${where}: a function ramp does not implement`);
}

function functionTransformer(o: PyObject, _ctx: unknown, where: string): Transformer {
  const f = ufuncOf(o.state.get('func'), `${where} › FunctionTransformer.func`);
  const kw = o.state.get('kw_args');
  if (kw !== null && kw !== undefined && !(kw instanceof Map && kw.size === 0)) unsupported(`${where}: FunctionTransformer with kw_args`);
  const n = o.state.has('n_features_in_') ? nFeaturesOf(o) : -1;
  return {
    nIn: n,
    nOut: n,
    transform: (x) => {
      const y = Float64Array.from(x as ArrayLike<number>);
      if (f) for (let j = 0; j < y.length; j++) y[j] = f(y[j]!);
      return y;
    },
  };
}

export function register(r: Registry): void {
  r.transformer('StandardScaler', standardScaler);
  r.transformer('MinMaxScaler', minMaxScaler);
  r.transformer('MaxAbsScaler', maxAbsScaler);
  r.transformer('RobustScaler', robustScaler);
  r.transformer('Binarizer', binarizer);
  r.transformer('Normalizer', normalizer);
  r.transformer('OneHotEncoder', oneHotEncoder);
  r.transformer('OrdinalEncoder', ordinalEncoder);
  r.transformer('SimpleImputer', simpleImputer);
  r.transformer('FunctionTransformer', functionTransformer);
}
