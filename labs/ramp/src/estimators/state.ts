// Reading fitted state from unpickled objects: typed accessors that fail with a clear error.
import { MalformedPickleError, UnsupportedEstimatorError } from '../errors.ts';
import { NdArray } from '../numpy.ts';
import { PyObject, TreeObj } from '../unpickler.ts';
import { supportedNames } from './registry.ts';
import type { Label, LabelType } from './types.ts';

export function unsupported(name: string): never {
  throw new UnsupportedEstimatorError(`unsupported estimator ${name}`, supportedNames());
}
export function bad(msg: string): never {
  throw new MalformedPickleError(msg);
}
export function field(o: PyObject, k: string): unknown {
  if (!o.state.has(k)) bad(`${o.cls} has no attribute ${k} (is it fitted?)`);
  return o.state.get(k);
}
export function arr(o: PyObject, k: string): NdArray {
  const v = field(o, k);
  if (!(v instanceof NdArray) || v.isPending) bad(`${o.cls}.${k} is not a numpy array`);
  return v;
}
export function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof NdArray && !v.isPending && v.size === 1) return v.numbers()[0]!;
  return bad(`${what} is not a number`);
}
export function int(v: unknown, what: string): number {
  const n = num(v, what);
  if (!Number.isSafeInteger(n) || n < 0) bad(`${what} is not a non-negative integer`);
  return n;
}
export function optArr(o: PyObject, k: string): NdArray | null {
  const v = o.state.get(k);
  if (v === undefined || v === null) return null;
  if (!(v instanceof NdArray) || v.isPending) bad(`${o.cls}.${k} is not a numpy array`);
  return v;
}

export function labelsOf(a: NdArray): { classes: Label[]; labelType: LabelType } {
  const k = a.dtype.kind;
  const vals = Array.from(a.values() as ArrayLike<unknown>);
  if (k === 'i' || k === 'u') return { classes: vals as Label[], labelType: 'int' };
  if (k === 'f') return { classes: vals as Label[], labelType: 'float' };
  if (k === 'b') return { classes: vals as Label[], labelType: 'bool' };
  if (k === 'O' || k === 'U' || k === 'S') {
    if (vals.every((v) => typeof v === 'string')) return { classes: vals as string[], labelType: 'string' };
    if (vals.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
      return { classes: vals as Label[], labelType: vals.every((v) => typeof v === 'bigint' || Number.isInteger(v)) ? 'int' : 'float' };
    }
    if (vals.every((v) => typeof v === 'boolean')) return { classes: vals as boolean[], labelType: 'bool' };
  }
  return bad('classes_ holds labels that are not strings, numbers or booleans');
}

export function featureNames(o: PyObject): string[] | null {
  const v = o.state.get('feature_names_in_');
  if (!(v instanceof NdArray)) return null;
  const vals = Array.from(v.values() as ArrayLike<unknown>);
  return vals.every((x) => typeof x === 'string') ? (vals as string[]) : null;
}

export function sklearnVersion(o: PyObject): string | null {
  const v = o.state.get('_sklearn_version');
  return typeof v === 'string' ? v : null;
}

export function nFeaturesOf(o: PyObject, fallback?: number): number {
  const v = o.state.get('n_features_in_');
  if (v !== undefined) return int(v, `${o.cls}.n_features_in_`);
  if (fallback !== undefined) return fallback;
  return bad(`${o.cls} has no n_features_in_`);
}

export function treeNFeatures(o: PyObject): number {
  const t = o.state.get('tree_');
  return nFeaturesOf(o, t instanceof TreeObj ? t.nFeatures : undefined);
}

