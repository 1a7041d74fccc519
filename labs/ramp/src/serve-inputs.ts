// The input tensors a model's V2 endpoint takes (used by the server, its page and examples).
import type { Model } from './estimators/index.ts';

/** A model with text columns takes one tensor per column (BYTES for text); others one [N, F] tensor. */
export function v2Inputs(model: Model): Array<{ name: string; datatype: string; shape: number[] }> {
  if (!model.inputs.some((c) => c.kind === 'string') || !model.featureNames) return [{ name: 'input-0', datatype: 'FP64', shape: [-1, model.nFeatures] }];
  return model.inputs.map((c) => ({ name: c.name!, datatype: c.kind === 'string' ? 'BYTES' : 'FP64', shape: [-1] }));
}
