// The shapes every estimator shares: a fitted model ramp can run, and its building block.
import { MalformedPickleError } from '../errors.ts';
import { argmax } from './math.ts';
import { arr, labelsOf } from './state.ts';
import type { PyObject } from '../unpickler.ts';

export type Label = number | string | boolean | bigint;
export type LabelType = 'int' | 'float' | 'string' | 'bool';

export interface Model {
  /** Top-level class name. */
  estimator: string;
  /** Class names of the pipeline steps (or [estimator]). */
  steps: Array<{ name: string; estimator: string }>;
  task: 'classifier' | 'regressor' | 'transformer';
  nFeatures: number;
  featureNames: string[] | null;
  classes: Label[] | null;
  labelType: LabelType | null;
  /** Regression targets / transformer output width. */
  nOutputs: number;
  /** True when predict returns one value per row (1-D), false for 2-D outputs. */
  scalarOutput: boolean;
  sklearnVersion: string | null;
  /** One per input column: its name (when fitted on a DataFrame) and what it takes. */
  inputs: InputColumn[];
  /** False when sklearn's estimator has no predict_proba; undefined means it has. */
  hasProba?: boolean;
  /** Classifier: class probabilities (length classes.length). */
  proba(x: Cells, out: Float64Array): void;
  /** Classifier: index into classes of the predicted label. */
  predictIndex(x: Cells): number;
  /** Regressor: outputs (length nOutputs); transformer: transformed row. */
  predictValues(x: Cells, out: Float64Array): void;
}

export interface Base {
  /** False when sklearn's estimator has no predict_proba (SVC without probability, RidgeClassifier…). */
  hasProba?: boolean;
  /** Per input column when some take strings (see Transformer.inputs). */
  inputKinds?: InputColumn['kind'][];
  task: Model['task'];
  nFeatures: number;
  classes: Label[] | null;
  labelType: LabelType | null;
  nOutputs: number;
  scalarOutput: boolean;
  proba(x: Float64Array, out: Float64Array): void;
  predictIndex(x: Float64Array): number;
  predictValues(x: Float64Array, out: Float64Array): void;
  /** sklearn's decision_function, when the estimator has one: nDecision values (1-d: one). */
  decision?(x: Float64Array, out: Float64Array): void;
  nDecision?: number;
}

export const noProba = (): never => { throw new MalformedPickleError('not a classifier'); };
export const noValues = (): never => { throw new MalformedPickleError('not a regressor'); };

export function classifierBase(o: PyObject, nFeatures: number, nClasses: number, probaFn: (x: Float64Array, out: Float64Array) => void): Base {
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  if (classes.length !== nClasses) throw new MalformedPickleError(`${o.cls}: classes_ has ${classes.length} labels, model computes ${nClasses}`);
  const scratch = new Float64Array(nClasses);
  return {
    task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true,
    proba: probaFn,
    predictIndex: (x) => { probaFn(x, scratch); return argmax(scratch); },
    predictValues: noValues,
  };
}


/** One input value: a number (NaN when missing) or a string (a category, a text). */
export type Cell = number | string;
export type Cells = ArrayLike<Cell>;

/** What an input column takes. */
export interface InputColumn {
  name: string | null;
  /** 'string' for categories and text, 'number' otherwise; 'any' when both occur (passthrough). */
  kind: 'number' | 'string' | 'any';
}

/** A fitted transformer: nIn cells in, nOut numbers out. */
export interface Transformer {
  nIn: number;
  nOut: number;
  /** Per input column, when the transformer takes strings (encoders); undefined: all numbers. */
  inputs?: InputColumn['kind'][];
  /** Numbers out, except where sklearn passes strings on (an imputer of string columns). */
  transform(x: Cells): Cells;
}
