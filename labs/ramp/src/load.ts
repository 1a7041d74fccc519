// File-level handling: size limits, compression detection, joblib vs pickle.
import type { RampFs } from './host.ts';
import { errCode } from './files.ts';
import { gunzip, inflateZlib, InflateError } from './inflate.ts';
import { LimitError, MalformedPickleError, RampError, SIZE_LIMIT_HINT } from './errors.ts';
import { DEFAULT_LIMITS, unpickle, type Limits, type UnpickleResult } from './unpickler.ts';

export type Compression = 'none' | 'zlib' | 'gzip';

export interface FileFormat {
  /** 'pickle' or 'joblib' (joblib when NumpyArrayWrapper arrays are inlined). */
  container: 'pickle' | 'joblib';
  compression: Compression;
  protocol: number;
  fileBytes: number;
  streamBytes: number;
}

const MAGIC: Array<[number[], string]> = [
  [[0x42, 0x5a], 'bz2'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'xz'],
  [[0x5d, 0x00], 'lzma'],
  [[0x04, 0x22, 0x4d, 0x18], 'lz4'],
  [[0x5a, 0x46], 'legacy joblib zfile'],
];

export function readFileLimited(fs: RampFs, path: string, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  let size: number;
  try {
    const st = fs.stat(path);
    if (!st.isFile()) throw new RampError(`${path} is not a file`, { code: 'not_found', hint: 'Pass the path to a .pkl or .joblib file.' });
    size = st.size;
  } catch (e) {
    if (e instanceof RampError) throw e;
    throw new RampError(`cannot read ${path}: ${errCode(e)}`, { code: 'not_found', hint: 'Check the path to the model file.' });
  }
  if (size > limits.maxInputBytes) throw new LimitError(`${path} is ${size} bytes, over the ${limits.maxInputBytes}-byte input limit`, -1, SIZE_LIMIT_HINT);
  return fs.readFile(path);
}

/** Detect compression and return the raw pickle stream. */
export function decompress(buf: Uint8Array, limits: Limits = DEFAULT_LIMITS): { data: Uint8Array; compression: Compression } {
  if (buf.length === 0) throw new MalformedPickleError('the file is empty');
  for (const [sig, name] of MAGIC) {
    if (sig.every((b, i) => buf[i] === b)) {
      throw new MalformedPickleError(`unsupported compression: ${name}`, -1,
        'ramp reads raw, zlib and gzip joblib files. Re-save with joblib.dump(model, "model.joblib") or compress=("zlib", 3).');
    }
  }
  if (buf[0] === 0x93 && buf[1] === 0x4e) throw new MalformedPickleError('this is a .npy array file, not a model pickle');
  try {
    if (buf[0] === 0x78) return { data: inflateZlib(buf, limits.maxDecompressedBytes), compression: 'zlib' };
    if (buf[0] === 0x1f && buf[1] === 0x8b) return { data: gunzip(buf, limits.maxDecompressedBytes), compression: 'gzip' };
  } catch (e) {
    if ((e instanceof InflateError && e.tooLarge) || e instanceof RangeError) {
      throw new LimitError(`decompressed data exceeds the ${limits.maxDecompressedBytes}-byte limit (compression bomb?)`, -1, SIZE_LIMIT_HINT);
    }
    throw new MalformedPickleError(`corrupt ${buf[0] === 0x78 ? 'zlib' : 'gzip'} data: ${(e as Error).message}`);
  }
  return { data: buf, compression: 'none' };
}

export interface LoadedPickle {
  result: UnpickleResult;
  format: FileFormat;
}

export function loadPickleBytes(buf: Uint8Array, mode: 'load' | 'scan', limits: Partial<Limits> = {}): LoadedPickle {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (buf.length > lim.maxInputBytes) throw new LimitError(`input is ${buf.length} bytes, over the ${lim.maxInputBytes}-byte limit`, -1, SIZE_LIMIT_HINT);
  const { data, compression } = decompress(buf, lim);
  const result = unpickle(data, { mode, limits: lim });
  return {
    result,
    format: {
      container: result.joblibArrays > 0 || compression !== 'none' ? 'joblib' : 'pickle',
      compression,
      protocol: result.protocol,
      fileBytes: buf.length,
      streamBytes: data.length,
    },
  };
}

export function loadPickleFile(fs: RampFs, path: string, mode: 'load' | 'scan', limits: Partial<Limits> = {}): LoadedPickle {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  return loadPickleBytes(readFileLimited(fs, path, lim), mode, lim);
}

export function describeFormat(f: FileFormat): string {
  const parts = [`pickle protocol ${f.protocol}`];
  if (f.container === 'joblib') parts.unshift(`joblib (${f.compression === 'none' ? 'raw' : `${f.compression}-compressed`})`);
  return parts.join(', ');
}
