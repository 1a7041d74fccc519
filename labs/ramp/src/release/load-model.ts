// Loading a model for the release commands, as `ramp predict` loads one (safe unpickler).
import type { RampFs } from '../host.ts';
import type { Model } from '../estimators/index.ts';
import { loadModel } from '../commands/model-load.ts';

export function loadReleaseModel(fs: RampFs, file: string): Model {
  return loadModel(fs, file, {}).model;
}
