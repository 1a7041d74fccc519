// Loading a model for the release commands, as `ramp predict` loads one (safe unpickler).
import { buildModel, type Model } from '../estimators/index.ts';
import { pickModel } from '../estimators/structure.ts';
import { loadPickleBytes, readFileLimited } from '../load.ts';
import { DEFAULT_LIMITS } from '../unpickler.ts';

export function loadReleaseModel(file: string): Model {
  const buf = readFileLimited(file, DEFAULT_LIMITS);
  const { result } = loadPickleBytes(buf, 'load', {});
  return buildModel(pickModel(result.value, undefined));
}
