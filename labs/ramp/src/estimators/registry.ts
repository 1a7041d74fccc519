// Which scikit-learn classes ramp can run: each family registers its builders here by class name.
import type { PyObject } from '../unpickler.ts';
import type { Base, Transformer } from './types.ts';

/** What a builder may ask for: its children built the same way (meta-estimators, pipelines). */
export interface BuildContext {
  /** A child as a transformer; `where` names it in errors (e.g. "preprocess › cat"). */
  transformer(o: unknown, where: string): Transformer;
  /** A child as a final estimator (classifier, regressor...). */
  final(o: unknown, where: string): Base;
}
export type FinalBuilder = (o: PyObject, ctx: BuildContext, where: string) => Base;
export type TransformerBuilder = (o: PyObject, ctx: BuildContext, where: string) => Transformer;

export interface Registry {
  final(cls: string, build: FinalBuilder): void;
  transformer(cls: string, build: TransformerBuilder): void;
}

const finals = new Map<string, FinalBuilder>();
const transformers = new Map<string, TransformerBuilder>();

export const registry: Registry = {
  final: (cls, build) => void finals.set(cls, build),
  transformer: (cls, build) => void transformers.set(cls, build),
};

export const finalBuilder = (cls: string): FinalBuilder | undefined => finals.get(cls);
export const transformerBuilder = (cls: string): TransformerBuilder | undefined => transformers.get(cls);
export const isSupported = (cls: string): boolean => finals.has(cls) || transformers.has(cls);

/** Every class ramp can run, sorted. */
export function supportedNames(): string[] {
  return [...new Set([...finals.keys(), ...transformers.keys()])].sort();
}
