// Loading the model a command names (inspect, scan, predict, serve, init), and what those
// commands share about it.
import type { RampFs } from '../host.ts';
import { UnsafePickleError, type Finding } from '../errors.ts';
import { buildModel, type Label, type Model } from '../estimators/index.ts';
import { pickModel } from '../estimators/structure.ts';
import { loadPickleBytes, readFileLimited, type FileFormat } from '../load.ts';
import { basename } from '../path.ts';
import { DEFAULT_LIMITS, type Limits } from '../unpickler.ts';

export interface Loaded {
  model: Model;
  format: FileFormat;
  globals: string[];
}

export function loadModel(fs: RampFs, file: string, limits: Partial<Limits>, key?: string): Loaded {
  const buf = readFileLimited(fs, file, { ...DEFAULT_LIMITS, ...limits });
  const { result, format } = loadPickleBytes(buf, 'load', limits);
  return { model: buildModel(pickModel(result.value, key)), format, globals: result.globals };
}

/** The unsafe verdict from a scan's findings (throws), so inspect and scan agree. */
export function unsafeError(file: string, findings: Finding[]): UnsafePickleError {
  return new UnsafePickleError(`${file} is unsafe: ${findings.length} finding${findings.length > 1 ? 's' : ''} (${findings[0]!.what} at byte ${findings[0]!.offset})`, findings[0]!.offset, findings);
}

export function findingJson(f: Finding): Record<string, unknown> {
  return { kind: f.kind, what: f.what, offset: f.offset, why: f.why };
}

export function labelStr(l: Label): string {
  return typeof l === 'string' ? l : String(l);
}

/** The model's name from its file name: churn.joblib.gz → churn. */
export function defaultName(file: string): string {
  const b = basename(file).replace(/\.(pkl|pickle|joblib|gz|zlib|z|p\d)$/gi, '').replace(/\.(pkl|pickle|joblib|gz|zlib|z|p\d)$/gi, '');
  const s = b.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'model';
}
