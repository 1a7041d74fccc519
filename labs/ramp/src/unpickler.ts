// A safe pickle opcode machine (protocols 0-5) for scikit-learn / numpy / joblib files.
//
// Safety by construction:
//  * names are checked against an exact allow-list when GLOBAL / STACK_GLOBAL
//    resolve them; nothing outside it is ever represented as callable;
//  * REDUCE / NEWOBJ only invoke OUR OWN constructors mapped in the allow-list;
//  * BUILD only fills our own placeholder objects (never a class or function);
//  * INST, OBJ, EXT1/2/4, PERSID, BINPERSID are refused; out-of-band buffers too;
//  * resource limits on input size, memo, stack, marks, expansion and allocation.
//
// In 'scan' mode the machine does not stop at the first problem: a refused name
// becomes an inert Flagged token (never constructed) and every finding is recorded.
import { LimitError, MalformedPickleError, UnsafePickleError, type Finding } from './errors.ts';
import { DType, NdArray, decodeScalar, shapeCount } from './numpy.ts';

export interface Limits {
  /** Max size of the file on disk. */
  maxInputBytes: number;
  /** Max size of a decompressed joblib stream. */
  maxDecompressedBytes: number;
  /** Max memo entries and max memo index. */
  maxMemo: number;
  /** Max items on the unpickling stack. */
  maxStack: number;
  /** Max nested MARKs. */
  maxMarkDepth: number;
  /** Max logical (reference-expanded) size of any container. */
  maxExpansion: number;
  /** Max container nesting depth. */
  maxDepth: number;
  /** Max bytes allocated for strings/bytes/containers while unpickling. */
  maxAllocBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxInputBytes: 256 * 1024 * 1024,
  maxDecompressedBytes: 256 * 1024 * 1024,
  maxMemo: 1_000_000,
  maxStack: 100_000,
  maxMarkDepth: 1_000,
  maxExpansion: 10_000_000,
  maxDepth: 200,
  maxAllocBytes: 512 * 1024 * 1024,
};

// ---------------------------------------------------------------------------
// Values

/** A resolved, allow-listed global. Never callable by itself. */
export class GlobalRef {
  module: string;
  name: string;
  entry: AllowEntry;
  constructor(module: string, name: string, entry: AllowEntry) {
    this.module = module;
    this.name = name;
    this.entry = entry;
  }
  get key(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * Our placeholder for an allow-listed Python object (an sklearn estimator, a joblib wrapper, a
 * scipy.sparse matrix...): its class name, the data it was built from, and nothing callable.
 */
export class PyObject {
  cls: string;
  /** Full module.name of the class. */
  key: string;
  state: Map<string, unknown>;
  /** Constructor arguments recorded from NEWOBJ/REDUCE (Cython helpers pickle their state so). */
  args: readonly unknown[] = [];
  constructor(cls: string, key = cls) {
    this.cls = cls;
    this.key = key;
    this.state = new Map();
  }
  get(key: string): unknown {
    return this.state.get(key);
  }
}

/** sklearn.tree._tree.Tree placeholder. */
export class TreeObj {
  nFeatures: number;
  nClasses: NdArray;
  nOutputs: number;
  state: Map<string, unknown> | null = null;
  constructor(nFeatures: number, nClasses: NdArray, nOutputs: number) {
    this.nFeatures = nFeatures;
    this.nClasses = nClasses;
    this.nOutputs = nOutputs;
  }
}

/** An inert object (numpy RandomState, sklearn loss objects): accepts BUILD, does nothing. */
export class Inert {
  what: string;
  constructor(what: string) {
    this.what = what;
  }
}

/**
 * scikit-learn classes are data: building one from its pickle sets attributes and runs nothing
 * (ramp never calls them; Python would call the class with plain data). Test and vendored modules
 * are excluded: their classes may touch files.
 */
const SKLEARN_CLASS_RE = /^sklearn(\.[A-Za-z_][A-Za-z0-9_]*)+\.(_?[A-Z][A-Za-z0-9_]*)$/;
const SKLEARN_EXCLUDED_RE = /\.(_testing|tests?|externals|datasets|experimental|conftest)(\.|$)/;

/** Scan mode only: stands for something refused. Never constructed, never called. */
export class Flagged {
  what: string;
  constructor(what: string) {
    this.what = what;
  }
}

// ---------------------------------------------------------------------------
// Allow-list

export interface ReduceCtx {
  offset: number;
  scan: boolean;
}

export type AllowEntry =
  | { kind: 'class'; cls: string; dict?: boolean }
  | { kind: 'type' }
  /** A name referenced as data (numpy.float64 as a dtype parameter, a numpy ufunc): never called. */
  | { kind: 'ref'; what: string }
  | { kind: 'reduce'; fn: (args: readonly unknown[], ctx: ReduceCtx) => unknown };

function isTuple(x: unknown): x is readonly unknown[] {
  return Array.isArray(x) && Object.isFrozen(x);
}

function argErr(what: string, ctx: ReduceCtx): never {
  throw new UnsafePickleError(`${what}: called with unexpected arguments (refusing)`, ctx.offset, [
    { kind: 'structure', what, offset: ctx.offset, why: 'allow-listed callable used with unexpected arguments' },
  ]);
}

const reconstruct: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    // _reconstruct(numpy.ndarray, (0,), b'b') -> empty array, filled by BUILD
    const [sub, shape] = args;
    if (args.length !== 3 || !(sub instanceof GlobalRef) || sub.key !== 'numpy.ndarray' || !isTuple(shape)) argErr('numpy _reconstruct', ctx);
    return NdArray.pending();
  },
};
const scalar: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [dt, data] = args;
    if (args.length < 1 || args.length > 2 || !(dt instanceof DType)) argErr('numpy scalar', ctx);
    if (dt.kind === 'O') return sanitizeObjectScalar(data, ctx);
    if (!(data instanceof Uint8Array)) argErr('numpy scalar', ctx);
    return decodeScalar(dt, data, ctx.offset);
  },
};
function sanitizeObjectScalar(x: unknown, ctx: ReduceCtx): unknown {
  if (x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'bigint') return x;
  return argErr('numpy object scalar', ctx);
}
const frombuffer: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [buf, dt, shape, order] = args;
    if (args.length < 4 || args.length > 5 || !(buf instanceof Uint8Array) || !(dt instanceof DType) || !isTuple(shape) || typeof order !== 'string') argErr('numpy _frombuffer', ctx);
    if (!dt.complete) throw new MalformedPickleError('numpy _frombuffer with an incomplete dtype', ctx.offset);
    const dims = shape.map((d) => d as number);
    const n = shapeCount(dims, ctx.offset);
    if (dt.kind === 'O') throw new MalformedPickleError('object arrays cannot come from a buffer', ctx.offset);
    if (n * dt.itemsize !== buf.length) throw new MalformedPickleError(`array shape (${dims.join(', ')}) × ${dt.itemsize} bytes does not match its ${buf.length}-byte buffer`, ctx.offset);
    if (order === 'C') return new NdArray(dt, dims, false, buf, null);
    if (order === 'F') return new NdArray(dt, dims, true, buf, null);
    if (order === 'K' && args.length === 5) {
      throw new MalformedPickleError("numpy arrays with order 'K' and an axis permutation are not supported", ctx.offset);
    }
    throw new MalformedPickleError(`bad array order ${JSON.stringify(order)}`, ctx.offset);
  },
};
const dtypeCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [spec] = args;
    if (args.length < 1 || args.length > 3 || typeof spec !== 'string') argErr('numpy.dtype', ctx);
    return new DType(spec, ctx.offset);
  },
};
const treeCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [nf, nc, no] = args;
    if (args.length !== 3 || typeof nf !== 'number' || !(nc instanceof NdArray) || typeof no !== 'number') argErr('sklearn Tree', ctx);
    return new TreeObj(nf, nc, no);
  },
};
const inert = (what: string): AllowEntry => ({
  kind: 'reduce',
  fn: (args) => {
    // accept only plain data args (strings / inert objects / numbers)
    for (const a of args) {
      if (a instanceof GlobalRef && a.entry.kind !== 'reduce') continue;
      if (a === null || typeof a === 'string' || typeof a === 'number' || a instanceof Inert || a instanceof GlobalRef) continue;
      if (a instanceof Map || Array.isArray(a)) continue;
    }
    return new Inert(what);
  },
});
/** Python value types the unpickler rebuilds as data. */
export class PySlice {
  readonly start: unknown;
  readonly stop: unknown;
  readonly step: unknown;
  constructor(start: unknown, stop: unknown, step: unknown) {
    this.start = start;
    this.stop = stop;
    this.step = step;
  }
}
export class PyComplex {
  readonly re: number;
  readonly im: number;
  constructor(re: number, im: number) {
    this.re = re;
    this.im = im;
  }
}
const plainScalar = (x: unknown) => x === null || typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean';
const sliceCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    if (args.length < 1 || args.length > 3 || !args.every(plainScalar)) argErr('builtins.slice', ctx);
    return args.length === 1 ? new PySlice(null, args[0], null) : new PySlice(args[0], args[1], args[2] ?? null);
  },
};
const setCtor = (what: string): AllowEntry => ({
  kind: 'reduce',
  fn: (args, ctx) => {
    if (args.length > 1 || (args.length === 1 && !Array.isArray(args[0]))) argErr(what, ctx);
    return new Set(args.length ? (args[0] as unknown[]) : []);
  },
});
const complexCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    if (args.length > 2 || !args.every((a) => typeof a === 'number')) argErr('builtins.complex', ctx);
    return new PyComplex((args[0] as number | undefined) ?? 0, (args[1] as number | undefined) ?? 0);
  },
};
const orderedDictCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    // OrderedDict() then SETITEMS, or OrderedDict([[k, v], ...]) (protocol 0/1)
    const d = new Map<unknown, unknown>();
    if (args.length === 0) return d;
    const [pairs] = args;
    if (args.length !== 1 || !Array.isArray(pairs)) argErr('collections.OrderedDict', ctx);
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2 || (typeof p[0] === 'object' && p[0] !== null && !Object.isFrozen(p[0]))) argErr('collections.OrderedDict', ctx);
      d.set(p[0], p[1]);
    }
    return d;
  },
};
/** Cython's `newObj(cls)` helpers (KDTree, BallTree, distance metrics): an empty object of an sklearn class. */
const cythonNewObj: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [cls] = args;
    if (args.length !== 1 || !(cls instanceof GlobalRef) || cls.entry.kind !== 'class' || !cls.module.startsWith('sklearn.')) argErr('sklearn newObj', ctx);
    return new PyObject(cls.entry.cls, cls.key);
  },
};
/** Cython's `__pyx_unpickle_<Class>(cls, checksum, state)`: an sklearn object from plain state. */
const cythonUnpickle: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [cls, checksum] = args;
    if (args.length !== 3 || !(cls instanceof GlobalRef) || cls.entry.kind !== 'class' || !cls.module.startsWith('sklearn.') || typeof checksum !== 'number') argErr('sklearn __pyx_unpickle', ctx);
    const o = new PyObject(cls.entry.cls, cls.key);
    o.args = [args[2]];
    return o;
  },
};
/** numpy.ma's _mareconstruct (GridSearchCV.cv_results_): a masked array ramp never reads. */
const maReconstruct = inert('numpy masked array');

/** numpy ufuncs that FunctionTransformer and TransformedTargetRegressor may name: ramp has its own. */
export const UFUNCS = ['log1p', 'expm1', 'log', 'exp', 'sqrt', 'square', 'absolute'] as const;
/** numpy scalar types, used as data (a dtype parameter such as OneHotEncoder(dtype=numpy.float64)). */
const NUMPY_TYPES = ['float64', 'float32', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool_', 'object_', 'str_', 'bytes_', 'complex128', 'longlong', 'intc', 'double'];
/** scipy.sparse matrices: data (data, indices, indptr, shape). */
const SCIPY_SPARSE = ['csr_matrix', 'csc_matrix', 'coo_matrix', 'dia_matrix', 'csr_array', 'csc_array', 'coo_array', 'dia_array'];

/** A str of code points < 256 as bytes (how protocols < 3 carry bytes). */
function latin1Encode(s: string, what: string, ctx: ReduceCtx): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) argErr(what, ctx);
    out[i] = c;
  }
  return out;
}
const codecsEncode: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    // protocol <3 writes bytes as _codecs.encode(str, 'latin1')
    const [s, enc] = args;
    if (typeof s !== 'string' || (args.length === 2 && enc !== 'latin1' && enc !== 'latin-1') || args.length > 2) argErr('_codecs.encode', ctx);
    return latin1Encode(s, '_codecs.encode', ctx);
  },
};
/** bytearray(bytes) (protocol < 5; xgboost's Booster keeps its model so), or bytearray(str, 'latin-1'). */
const bytearrayCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    const [v, enc] = args;
    if (args.length === 0) return new Uint8Array(0);
    if (args.length === 1 && v instanceof Uint8Array) return v.slice();
    if (args.length === 2 && typeof v === 'string' && (enc === 'latin-1' || enc === 'latin1')) return latin1Encode(v, 'builtins.bytearray', ctx);
    return argErr('builtins.bytearray', ctx);
  },
};
const bytesCtor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    if (args.length !== 0) argErr('builtins.bytes', ctx);
    return new Uint8Array(0);
  },
};
const copyregReconstructor: AllowEntry = {
  kind: 'reduce',
  fn: (args, ctx) => {
    // protocol 0/1 objects: copyreg._reconstructor(cls, object, None)
    const [cls, base, st] = args;
    if (args.length !== 3 || !(cls instanceof GlobalRef) || cls.entry.kind !== 'class' || !(base instanceof GlobalRef) || base.key !== 'builtins.object' || st !== null) argErr('copyreg._reconstructor', ctx);
    return new PyObject((cls.entry as { cls: string }).cls);
  },
};

function buildAllowList(): Map<string, AllowEntry> {
  const m = new Map<string, AllowEntry>();
  for (const np of ['numpy.core', 'numpy._core']) {
    m.set(`${np}.multiarray._reconstruct`, reconstruct);
    m.set(`${np}.multiarray.scalar`, scalar);
    m.set(`${np}.numeric._frombuffer`, frombuffer);
  }
  m.set('numpy.ndarray', { kind: 'type' });
  m.set('numpy.dtype', dtypeCtor);
  for (const n of ['__randomstate_ctor', '__bit_generator_ctor', '__generator_ctor']) {
    m.set(`numpy.random._pickle.${n}`, inert('numpy random state'));
  }
  m.set('joblib.numpy_pickle.NumpyArrayWrapper', { kind: 'class', cls: 'NumpyArrayWrapper' });
  m.set('sklearn.tree._tree.Tree', treeCtor);
  m.set('_codecs.encode', codecsEncode);
  m.set('builtins.bytes', bytesCtor);
  m.set('builtins.object', { kind: 'type' });
  m.set('copyreg._reconstructor', copyregReconstructor);
  m.set('builtins.slice', sliceCtor);
  m.set('builtins.bytearray', bytearrayCtor);
  m.set('builtins.set', setCtor('builtins.set'));
  m.set('builtins.frozenset', setCtor('builtins.frozenset'));
  m.set('builtins.complex', complexCtor);
  m.set('collections.OrderedDict', orderedDictCtor);
  m.set('sklearn.utils._bunch.Bunch', { kind: 'class', cls: 'Bunch', dict: true });
  m.set('sklearn.utils.Bunch', { kind: 'class', cls: 'Bunch', dict: true });
  // A column selector by dtype or name pattern: its state is data (the fitted ColumnTransformer
  // keeps the columns it resolved to).
  m.set('sklearn.compose._column_transformer.make_column_selector', { kind: 'class', cls: 'make_column_selector' });
  for (const t of NUMPY_TYPES) m.set(`numpy.${t}`, { kind: 'ref', what: `numpy.${t}` });
  for (const np of ['numpy.core', 'numpy._core']) {
    for (const f of UFUNCS) m.set(`${np}._multiarray_umath.${f}`, { kind: 'ref', what: `ufunc:${f}` });
  }
  m.set('numpy.ma.core._mareconstruct', maReconstruct);
  // GridSearchCV.cv_results_ holds masked arrays: the class is passed to _mareconstruct as data.
  m.set('numpy.ma.core.MaskedArray', { kind: 'type' });
  // XGBoost's scikit-learn wrappers: parameters and the booster's own saved model, as bytes.
  for (const c of ['XGBClassifier', 'XGBRegressor']) m.set(`xgboost.sklearn.${c}`, { kind: 'class', cls: c });
  m.set('xgboost.core.Booster', { kind: 'class', cls: 'Booster' });
  for (const mod of ['_csr', '_csc', '_coo', '_dia', 'csr', 'csc', 'coo', 'dia', '_arrays']) {
    for (const c of SCIPY_SPARSE) m.set(`scipy.sparse.${mod}.${c}`, { kind: 'class', cls: c });
  }
  // Scorers name sklearn's metric functions; ramp never calls them (nor does loading in Python).
  for (const f of ['_passthrough_scorer']) m.set(`sklearn.metrics._scorer.${f}`, { kind: 'ref', what: `sklearn scorer ${f}` });
  return m;
}

export const ALLOW_LIST: ReadonlyMap<string, AllowEntry> = buildAllowList();

/** dataName's answers: the same few dozen names recur in every file. */
const dataNames = new Map<string, AllowEntry | null>();

/** Names outside the fixed list that are data by their shape: sklearn classes and Cython helpers. */
function dataName(key: string): AllowEntry | null {
  let entry = dataNames.get(key);
  if (entry === undefined) {
    entry = classifyName(key);
    if (dataNames.size < 10_000) dataNames.set(key, entry);
  }
  return entry;
}

function classifyName(key: string): AllowEntry | null {
  if (!key.startsWith('sklearn.') || SKLEARN_EXCLUDED_RE.test(key)) return null;
  const m = SKLEARN_CLASS_RE.exec(key);
  if (m) return { kind: 'class', cls: m[2]! };
  if (/^sklearn\.(neighbors|metrics)\.[A-Za-z_]+\.newObj$/.test(key)) return cythonNewObj;
  if (/\.__pyx_unpickle_[A-Za-z0-9_]+$/.test(key)) return cythonUnpickle;
  if (/^sklearn\.metrics\.(_classification|_regression|_ranking)\.[a-z][a-z0-9_]*$/.test(key)) return { kind: 'ref', what: `sklearn metric ${key}` };
  return null;
}

// Python 2 names that Python 3's unpickler maps for protocol < 3 (fix_imports).
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

// ---------------------------------------------------------------------------
// Opcodes

export const OPNAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const REFUSED_OPCODES: Record<number, string> = {
  0x69: 'INST calls an arbitrary class with arguments; scikit-learn never emits it',
  0x6f: 'OBJ calls an arbitrary class with arguments; scikit-learn never emits it',
  0x82: 'EXT1 resolves a name through the copyreg extension registry; scikit-learn never emits it',
  0x83: 'EXT2 resolves a name through the copyreg extension registry; scikit-learn never emits it',
  0x84: 'EXT4 resolves a name through the copyreg extension registry; scikit-learn never emits it',
  0x50: 'PERSID asks the loader to resolve an external object; scikit-learn never emits it',
  0x51: 'BINPERSID asks the loader to resolve an external object; scikit-learn never emits it',
};

// ---------------------------------------------------------------------------
// The machine

export interface UnpickleResult {
  value: unknown;
  protocol: number;
  /** Number of joblib NumpyArrayWrapper arrays read from the stream. */
  joblibArrays: number;
  findings: Finding[];
  globals: string[];
  /** Offset just past STOP. */
  end: number;
}

export interface UnpickleOptions {
  mode?: 'load' | 'scan';
  limits?: Partial<Limits>;
  /** Allow trailing bytes after STOP (used for nested joblib pickles). */
  allowTrailing?: boolean;
}

const MARK = Symbol('mark');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as a string when all are ASCII, else null. */
function asciiString(b: Uint8Array): string | null {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c > 0x7f) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

class Budget {
  used = 0;
  max: number;
  constructor(max: number) {
    this.max = max;
  }
  take(n: number, offset: number): void {
    this.used += n;
    if (this.used > this.max) throw new LimitError(`unpickling would allocate more than ${this.max} bytes`, offset);
  }
}

/** Nesting depths are stored below this in a container's packed shape, so maxDepth is capped by it. */
const DEPTH_SLOTS = 4096;

export function unpickle(buf: Uint8Array, opts: UnpickleOptions = {}): UnpickleResult {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  limits.maxDepth = Math.min(limits.maxDepth, DEPTH_SLOTS - 1);
  const m = new Machine(buf, 0, opts.mode ?? 'load', limits, new Budget(limits.maxAllocBytes), 0);
  const value = m.run();
  if (!opts.allowTrailing && m.pos !== buf.length) {
    throw new MalformedPickleError(`${buf.length - m.pos} trailing bytes after the pickle's STOP opcode`, m.pos);
  }
  return { value, protocol: m.protocol, joblibArrays: m.joblibArrays, findings: m.findings, globals: [...m.globals], end: m.pos };
}

class Machine {
  buf: Uint8Array;
  dv: DataView;
  pos: number;
  mode: 'load' | 'scan';
  limits: Limits;
  budget: Budget;
  nesting: number;
  protocol = 0;
  joblibArrays = 0;
  findings: Finding[] = [];
  globals = new Set<string>();
  private stack: unknown[] = [];
  private marks: number[] = [];
  private memo: unknown[] = []; // by index; holes are undefined keys
  private memoCount = 0;
  /** Per container: expanded size * DEPTH_SLOTS + nesting depth (one lookup instead of two). */
  private shapes = new WeakMap<object, number>();
  /** Maps that stand for dict subclasses (Bunch): BUILD on them is allowed. */
  private dictObjects = new WeakSet<object>();
  private op = 0; // offset of current opcode

  constructor(buf: Uint8Array, pos: number, mode: 'load' | 'scan', limits: Limits, budget: Budget, nesting: number) {
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.mode = mode;
    this.limits = limits;
    this.budget = budget;
    this.nesting = nesting;
  }

  private get scan(): boolean {
    return this.mode === 'scan';
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new MalformedPickleError(`truncated pickle: ${OPNAMES[this.buf[this.op]!] ?? 'opcode'} needs ${n} bytes, ${this.buf.length - this.pos} left`, this.op);
    }
  }
  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  private u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  private u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  private i32(): number {
    this.need(4);
    const v = this.dv.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  private u64(): number {
    this.need(8);
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(this.buf.length)) throw new MalformedPickleError(`length ${v} exceeds the ${this.buf.length}-byte input`, this.op);
    return Number(v);
  }
  private bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  private line(): string {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > 1 << 16) throw new MalformedPickleError('truncated or overlong text line', this.op);
    let s = '';
    for (let i = this.pos; i < end; i++) s += String.fromCharCode(this.buf[i]!);
    this.pos = end + 1;
    return s;
  }
  private str(n: number): string {
    const b = this.bytes(n);
    this.budget.take(n * 2, this.op);
    // Attribute and class names are short ASCII; TextDecoder's per-call cost dwarfs them.
    if (n <= 64) {
      const ascii = asciiString(b);
      if (ascii !== null) return ascii;
    }
    try {
      return utf8.decode(b);
    } catch {
      throw new MalformedPickleError('invalid UTF-8 in a string', this.op);
    }
  }

  private push(v: unknown): void {
    if (this.stack.length >= this.limits.maxStack) throw new LimitError(`pickle stack deeper than ${this.limits.maxStack} items`, this.op);
    this.stack.push(v);
  }
  private pop(): unknown {
    if (this.stack.length === 0 || (this.marks.length && this.stack.length <= this.marks[this.marks.length - 1]!)) {
      throw new MalformedPickleError(`${OPNAMES[this.buf[this.op]!]} on an empty stack`, this.op);
    }
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0 || (this.marks.length && this.stack.length <= this.marks[this.marks.length - 1]!)) {
      throw new MalformedPickleError(`${OPNAMES[this.buf[this.op]!]} on an empty stack`, this.op);
    }
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const k = this.marks.pop();
    if (k === undefined) throw new MalformedPickleError(`${OPNAMES[this.buf[this.op]!]} without a MARK`, this.op);
    const items = this.stack.splice(k);
    return items;
  }

  /** Track expansion (reference-expanded size) and nesting depth of containers. */
  private account(container: object, item: unknown): void {
    this.accountAll(container, [item]);
  }
  /** `account` for many items at once: one lookup and one update of the container. */
  private accountAll(container: object, items: readonly unknown[]): void {
    let s = 0;
    let d = 0;
    for (const item of items) {
      if (item instanceof GlobalRef && item.entry.kind === 'reduce' && !item.module.startsWith('numpy.random.')) {
        // Legitimate pickles call these at once (numpy's RandomState passes its bit generator's
        // constructor along); any other kept as a value is a function to call later.
        this.finding('structure', item.key, 'a callable kept as a value (it would be called when the model is used)');
      }
      const shape = typeof item === 'object' && item !== null ? this.shapes.get(item) : undefined;
      if (shape === undefined) s += 1;
      else {
        s += Math.floor(shape / DEPTH_SLOTS);
        d = Math.max(d, shape % DEPTH_SLOTS);
      }
    }
    const own = this.shapes.get(container) ?? DEPTH_SLOTS; // size 1, depth 0
    const ns = Math.floor(own / DEPTH_SLOTS) + s;
    if (ns > this.limits.maxExpansion) throw new LimitError(`container expands to more than ${this.limits.maxExpansion} elements (memo/DUP expansion bomb?)`, this.op);
    let depth = own % DEPTH_SLOTS;
    if (items.length && d + 1 > depth) {
      if (d + 1 > this.limits.maxDepth) throw new LimitError(`containers nested deeper than ${this.limits.maxDepth}`, this.op);
      depth = d + 1;
    }
    this.shapes.set(container, ns * DEPTH_SLOTS + depth);
  }
  private makeTuple(items: unknown[]): readonly unknown[] {
    this.budget.take(items.length * 8 + 16, this.op);
    this.accountAll(items, items);
    return Object.freeze(items);
  }

  private finding(kind: Finding['kind'], what: string, why: string): void {
    const f: Finding = { kind, what, offset: this.op, why };
    if (!this.scan) {
      const msg = kind === 'opcode' ? `refused opcode ${what} at byte ${this.op}: ${why}` : `refused ${kind === 'global' ? 'global' : ''} ${what} at byte ${this.op}: ${why}`.replace('  ', ' ');
      throw new UnsafePickleError(msg, this.op, [f]);
    }
    if (this.findings.length < 1000) this.findings.push(f);
  }

  private resolve(module: string, name: string): unknown {
    let mod = module;
    if (this.protocol < 3 && PY2_MODULES[mod]) mod = PY2_MODULES[mod]!;
    const key = `${mod}.${name}`;
    this.globals.add(key);
    const entry = ALLOW_LIST.get(key) ?? dataName(key);
    if (!entry) {
      this.finding('global', key, 'not in the allow-list of scikit-learn/numpy names ramp can load safely');
      return new Flagged(key);
    }
    return new GlobalRef(mod, name, entry);
  }

  private memoPut(idx: number, v: unknown): void {
    if (!Number.isSafeInteger(idx) || idx < 0 || idx >= this.limits.maxMemo) throw new LimitError(`memo index ${idx} exceeds the limit of ${this.limits.maxMemo}`, this.op);
    if (!(idx in this.memo)) {
      if (this.memoCount >= this.limits.maxMemo) throw new LimitError(`more than ${this.limits.maxMemo} memo entries`, this.op);
      this.memoCount++;
    }
    this.memo[idx] = v;
  }
  private memoGet(idx: number): unknown {
    if (!(idx in this.memo)) throw new MalformedPickleError(`memo key ${idx} is not defined`, this.op);
    return this.memo[idx];
  }

  run(): unknown {
    const buf = this.buf;
    const first = this.pos;
    for (;;) {
      if (this.pos >= buf.length) throw new MalformedPickleError('truncated pickle: no STOP opcode', this.pos);
      this.op = this.pos;
      const code = buf[this.pos++]!;
      switch (code) {
        case 0x80: { // PROTO
          const p = this.u8();
          if (this.op !== first) throw new MalformedPickleError('PROTO opcode not at the start of the stream', this.op);
          if (p > 5) throw new MalformedPickleError(`unsupported pickle protocol ${p}`, this.op);
          this.protocol = p;
          break;
        }
        case 0x95: { // FRAME: frames are a buffering hint; data is read linearly
          const n = this.u64();
          if (this.pos + n > buf.length) throw new MalformedPickleError(`FRAME of ${n} bytes runs past the end of the file`, this.op);
          break;
        }
        case 0x2e: // STOP
          if (this.stack.length !== 1 || this.marks.length) {
            throw new MalformedPickleError(`STOP with ${this.stack.length} items on the stack`, this.op);
          }
          return this.stack.pop();
        case 0x28: // MARK
          if (this.marks.length >= this.limits.maxMarkDepth) throw new LimitError(`more than ${this.limits.maxMarkDepth} nested MARKs`, this.op);
          this.marks.push(this.stack.length);
          break;
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP
        case 0x4e: this.push(null); break;
        case 0x88: this.push(true); break;
        case 0x89: this.push(false); break;
        case 0x4a: this.push(this.i32()); break; // BININT
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x49: { // INT (text)
          const s = this.line();
          if (s === '00') this.push(false);
          else if (s === '01') this.push(true);
          else this.push(parseIntText(s, this.op));
          break;
        }
        case 0x4c: { // LONG (text)
          const s = this.line();
          this.push(parseIntText(s.endsWith('L') ? s.slice(0, -1) : s, this.op));
          break;
        }
        case 0x8a: { // LONG1
          const n = this.u8();
          this.push(decodeLong(this.bytes(n)));
          break;
        }
        case 0x8b: { // LONG4
          const n = this.i32();
          if (n < 0) throw new MalformedPickleError('negative LONG4 length', this.op);
          if (n > 1024) throw new LimitError(`LONG4 integer of ${n} bytes`, this.op);
          this.push(decodeLong(this.bytes(n)));
          break;
        }
        case 0x46: { // FLOAT (text)
          const s = this.line();
          const v = Number(s);
          if (Number.isNaN(v) && !/^[-+]?nan$/i.test(s)) throw new MalformedPickleError(`bad FLOAT ${JSON.stringify(s.slice(0, 30))}`, this.op);
          this.push(v);
          break;
        }
        case 0x47: { // BINFLOAT (big-endian)
          this.need(8);
          this.push(this.dv.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        }
        case 0x53: this.push(parsePyStringLiteral(this.line(), this.op)); break; // STRING
        case 0x54: { // BINSTRING
          const n = this.i32();
          this.push(latin1(this.bytes(n)));
          break;
        }
        case 0x55: this.push(latin1(this.bytes(this.u8()))); break; // SHORT_BINSTRING
        case 0x56: this.push(rawUnicodeEscape(this.line(), this.op)); break; // UNICODE
        case 0x58: this.push(this.str(this.u32())); break; // BINUNICODE
        case 0x8c: this.push(this.str(this.u8())); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.str(this.u64())); break; // BINUNICODE8
        case 0x42: this.push(this.bytes(this.u32())); break; // BINBYTES
        case 0x43: this.push(this.bytes(this.u8())); break; // SHORT_BINBYTES
        case 0x8e: this.push(this.bytes(this.u64())); break; // BINBYTES8
        case 0x96: { // BYTEARRAY8 (in-band protocol-5 buffer)
          const b = this.bytes(this.u64());
          this.push(b);
          break;
        }
        case 0x97: // NEXT_BUFFER
        case 0x98: // READONLY_BUFFER
          throw new MalformedPickleError(`${OPNAMES[code]}: out-of-band pickle buffers are not supported (the data is not in this file)`, this.op,
            'Re-save the model without a buffer_callback, e.g. joblib.dump(model, "model.joblib").');
        case 0x29: this.push(Object.freeze([])); break; // EMPTY_TUPLE
        case 0x74: this.push(this.makeTuple(this.popMark())); break; // TUPLE
        case 0x85: { const a = this.pop(); this.push(this.makeTuple([a])); break; }
        case 0x86: { const b = this.pop(); const a = this.pop(); this.push(this.makeTuple([a, b])); break; }
        case 0x87: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push(this.makeTuple([a, b, c])); break; }
        case 0x5d: this.budget.take(16, this.op); this.push([]); break; // EMPTY_LIST
        case 0x6c: { // LIST
          const items = this.popMark();
          this.budget.take(items.length * 8 + 16, this.op);
          this.accountAll(items, items);
          this.push(items);
          break;
        }
        case 0x61: { // APPEND
          const v = this.pop();
          this.appendTo(this.top(), [v]);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          this.appendTo(this.top(), items);
          break;
        }
        case 0x7d: this.budget.take(32, this.op); this.push(new Map()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const items = this.popMark();
          const d = new Map();
          this.setItems(d, items);
          this.push(d);
          break;
        }
        case 0x73: { // SETITEM
          const v = this.pop();
          const k = this.pop();
          this.setItems(this.top(), [k, v]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x8f: this.push(new Set()); break; // EMPTY_SET
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (s instanceof Flagged) break;
          if (!(s instanceof Set)) throw new MalformedPickleError('ADDITEMS on a non-set', this.op);
          this.budget.take(items.length * 8, this.op);
          for (const it of items) s.add(it);
          this.accountAll(s, items);
          break;
        }
        case 0x91: { // FROZENSET
          const items = this.popMark();
          this.budget.take(items.length * 8, this.op);
          const s = new Set(items);
          this.accountAll(s, items);
          this.push(s);
          break;
        }
        case 0x67: this.push(this.memoGet(parseIntText(this.line(), this.op) as number)); break; // GET
        case 0x68: this.push(this.memoGet(this.u8())); break; // BINGET
        case 0x6a: this.push(this.memoGet(this.u32())); break; // LONG_BINGET
        case 0x70: this.memoPut(Number(parseIntText(this.line(), this.op)), this.top()); break; // PUT
        case 0x71: this.memoPut(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memoPut(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x94: this.memoPut(this.memoCount, this.top()); break; // MEMOIZE
        case 0x63: { // GLOBAL
          const module = this.line();
          const name = this.line();
          this.push(this.resolve(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') {
            this.finding('global', 'STACK_GLOBAL(<non-string>)', 'STACK_GLOBAL with operands that are not strings');
            this.push(new Flagged('STACK_GLOBAL(<non-string>)'));
          } else {
            this.push(this.resolve(module, name));
          }
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const fn = this.pop();
          this.push(this.reduce(fn, args));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.push(this.newobj(cls, args, null));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          this.push(this.newobj(cls, args, kwargs));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop();
          const obj = this.top();
          const replaced = this.build(obj, state);
          if (replaced !== undefined) this.stack[this.stack.length - 1] = replaced;
          break;
        }
        case 0x69: // INST
        case 0x6f: // OBJ
        case 0x82: case 0x83: case 0x84: // EXT
        case 0x50: case 0x51: { // PERSID
          this.finding('opcode', OPNAMES[code]!, REFUSED_OPCODES[code]!);
          // scan mode: emulate the stack effect with an inert token
          if (code === 0x69) { this.line(); this.line(); this.popMark(); }
          else if (code === 0x6f) this.popMark();
          else if (code === 0x82) this.u8();
          else if (code === 0x83) this.u16();
          else if (code === 0x84) this.u32();
          else if (code === 0x50) this.line();
          else this.pop();
          this.push(new Flagged(OPNAMES[code]!));
          break;
        }
        default:
          throw new MalformedPickleError(`unknown opcode 0x${code.toString(16).padStart(2, '0')}`, this.op);
      }
    }
  }

  private appendTo(list: unknown, items: unknown[]): void {
    if (list instanceof Flagged) return;
    if (!Array.isArray(list) || Object.isFrozen(list)) throw new MalformedPickleError('APPEND to something that is not a list', this.op);
    this.budget.take(items.length * 8, this.op);
    for (const it of items) {
      this.account(list, it);
      list.push(it);
    }
  }

  private setItems(d: unknown, items: unknown[]): void {
    if (d instanceof Flagged) return;
    if (!(d instanceof Map)) throw new MalformedPickleError('SETITEM on something that is not a dict', this.op);
    if (items.length % 2) throw new MalformedPickleError('SETITEMS with an odd number of items', this.op);
    this.budget.take(items.length * 8, this.op);
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i];
      if (typeof k === 'object' && k !== null && !(k instanceof Flagged) && !Object.isFrozen(k)) {
        throw new MalformedPickleError('unhashable dict key', this.op);
      }
      this.account(d, items[i + 1]);
      d.set(k, items[i + 1]);
    }
  }

  private reduce(fn: unknown, args: unknown): unknown {
    if (fn instanceof Flagged || (this.scan && isTuple(args) && args.some((a) => a instanceof Flagged))) return new Flagged(fn instanceof Flagged ? fn.what : 'reduce');
    if (!isTuple(args)) throw new MalformedPickleError('REDUCE arguments are not a tuple', this.op);
    if (!(fn instanceof GlobalRef)) {
      this.finding('opcode', 'REDUCE', `calling a ${describe(fn)} is not allowed; only allow-listed constructors may be called`);
      return new Flagged('REDUCE');
    }
    // Cython classes pickle as (cls, args): an object of that class holding the arguments as data.
    if (fn.entry.kind === 'class' && fn.module.startsWith('sklearn.')) return this.instance(fn, args);
    if (fn.entry.kind !== 'reduce') {
      this.finding('opcode', 'REDUCE', `${fn.key} may not be called with REDUCE`);
      return new Flagged(fn.key);
    }
    return fn.entry.fn(args, { offset: this.op, scan: this.scan });
  }

  private newobj(cls: unknown, args: unknown, kwargs: unknown): unknown {
    if (cls instanceof Flagged) return new Flagged(cls.what);
    if (!(cls instanceof GlobalRef) || cls.entry.kind !== 'class') {
      this.finding('opcode', 'NEWOBJ', `${cls instanceof GlobalRef ? cls.key : describe(cls)} may not be instantiated`);
      return new Flagged('NEWOBJ');
    }
    const noArgs = isTuple(args) && args.length === 0 && (kwargs === null || (kwargs instanceof Map && kwargs.size === 0));
    if (!noArgs && !(cls.module.startsWith('sklearn.') && isTuple(args) && kwargs === null)) {
      this.finding('structure', cls.key, 'allow-listed class instantiated with constructor arguments');
      return new Flagged(cls.key);
    }
    return this.instance(cls, args as readonly unknown[]);
  }

  /** An object of an allow-listed class: a Map for dict subclasses (Bunch), else a PyObject. */
  private instance(cls: GlobalRef, args: readonly unknown[]): unknown {
    this.budget.take(64, this.op);
    const entry = cls.entry as { cls: string; dict?: boolean };
    if (entry.dict) {
      if (args.length) this.finding('structure', cls.key, 'dict subclass instantiated with constructor arguments');
      const d = new Map();
      this.dictObjects.add(d);
      return d;
    }
    const o = new PyObject(entry.cls, cls.key);
    o.args = args;
    return o;
  }

  /** BUILD. Returns a replacement for the stack top (joblib arrays) or undefined. */
  private build(obj: unknown, state: unknown): unknown {
    if (obj instanceof Flagged) return undefined;
    if (this.scan && state instanceof Flagged) return undefined;
    if (obj instanceof GlobalRef) {
      this.finding('opcode', 'BUILD', `BUILD on ${obj.key} would set attributes on a class or function`);
      return undefined;
    }
    if (obj instanceof Map && this.dictObjects.has(obj)) {
      // Bunch.__setstate__ ignores its state (attributes live in the dict itself).
      if (state !== null && !(state instanceof Map)) throw new MalformedPickleError('BUILD state for a Bunch is not a dict', this.op);
      return undefined;
    }
    if (obj instanceof PyObject) {
      let dict = state;
      if (isTuple(state) && state.length === 2) {
        // (state, slotstate)
        dict = state[0] ?? new Map();
        const slots = state[1];
        if (slots !== null && !(slots instanceof Map)) throw new MalformedPickleError('BUILD slot state is not a dict', this.op);
        if (slots) this.mergeState(obj, slots);
      }
      if (!(dict instanceof Map)) {
        // Cython objects (KDTree, TreePredictor's owners) set their state from a tuple.
        if (isTuple(dict) && obj.key.startsWith('sklearn.')) {
          obj.state.set('__setstate__', dict);
          return undefined;
        }
        throw new MalformedPickleError(`BUILD state for ${obj.cls} is not a dict`, this.op);
      }
      this.mergeState(obj, dict);
      if (obj.cls === 'NumpyArrayWrapper') return this.readJoblibArray(obj);
      return undefined;
    }
    if (obj instanceof NdArray) {
      if (!obj.isPending) throw new MalformedPickleError('BUILD on a numpy array that is already built', this.op);
      this.buildArray(obj, state);
      return undefined;
    }
    if (obj instanceof DType) {
      if (obj.complete) throw new MalformedPickleError('BUILD on a numpy dtype that is already built', this.op);
      obj.setState(state, this.op);
      return undefined;
    }
    if (obj instanceof TreeObj) {
      if (!(state instanceof Map)) throw new MalformedPickleError('sklearn Tree state is not a dict', this.op);
      obj.state = state as Map<string, unknown>;
      return undefined;
    }
    if (obj instanceof Inert) return undefined;
    throw new MalformedPickleError(`BUILD on a ${describe(obj)}`, this.op);
  }

  private mergeState(obj: PyObject, d: Map<unknown, unknown>): void {
    for (const [k, v] of d) {
      if (typeof k !== 'string') throw new MalformedPickleError('object state has a non-string key', this.op);
      obj.state.set(k, v);
    }
  }

  private buildArray(arr: NdArray, state: unknown): void {
    if (!isTuple(state)) throw new MalformedPickleError('numpy array state is not a tuple', this.op);
    let shape: unknown, dt: unknown, fortran: unknown, data: unknown;
    if (state.length === 5) [, shape, dt, fortran, data] = state;
    else if (state.length === 4) [shape, dt, fortran, data] = state;
    else throw new MalformedPickleError(`numpy array state has ${state.length} items`, this.op);
    if (state.length === 5 && state[0] !== 1) throw new MalformedPickleError(`unsupported numpy array pickle version ${String(state[0])}`, this.op);
    if (!isTuple(shape) || !(dt instanceof DType) || typeof fortran !== 'boolean') throw new MalformedPickleError('numpy array state is malformed', this.op);
    if (!dt.complete) throw new MalformedPickleError('numpy array with an incomplete dtype', this.op);
    const dims = shape as number[];
    const n = shapeCount(dims, this.op);
    if (dt.kind === 'O') {
      if (!Array.isArray(data)) throw new MalformedPickleError('object array data is not a list', this.op);
      if (data.length !== n) throw new MalformedPickleError(`object array shape (${dims.join(', ')}) does not match its ${data.length} elements`, this.op);
      arr.fill(dt, dims.slice(), fortran, null, data.slice());
      return;
    }
    if (typeof data === 'string') data = latin1Bytes(data); // protocol 0/1 style
    if (!(data instanceof Uint8Array)) throw new MalformedPickleError('numpy array data is not bytes', this.op);
    if (data.length !== n * dt.itemsize) {
      throw new MalformedPickleError(`array shape (${dims.join(', ')}) × ${dt.itemsize} bytes = ${n * dt.itemsize} bytes, but the pickle holds ${data.length}`, this.op);
    }
    arr.fill(dt, dims.slice(), fortran, data, null);
  }

  /** joblib: after BUILD of a NumpyArrayWrapper the raw array bytes follow in the stream. */
  private readJoblibArray(w: PyObject): NdArray {
    const dt = w.get('dtype');
    const shape = w.get('shape');
    const order = w.get('order');
    const sub = w.get('subclass');
    if (!(dt instanceof DType) || !dt.complete || !isTuple(shape) || (order !== 'C' && order !== 'F')) {
      throw new MalformedPickleError('joblib NumpyArrayWrapper state is malformed', this.op);
    }
    if (!(sub instanceof GlobalRef) || sub.key !== 'numpy.ndarray') {
      throw new MalformedPickleError('joblib arrays must be plain numpy.ndarray (matrix/memmap subclasses are not supported)', this.op);
    }
    const dims = (shape as unknown[]).map((d) => d as number);
    const n = shapeCount(dims, this.op);
    this.joblibArrays++;
    if (dt.kind === 'O') {
      // joblib pickles object arrays as a nested protocol-2 pickle right here.
      if (this.nesting >= 2) throw new LimitError('nested joblib object-array pickles deeper than 2', this.op);
      const inner = new Machine(this.buf, this.pos, this.mode, this.limits, this.budget, this.nesting + 1);
      const v = inner.run();
      for (const f of inner.findings) this.findings.push(f);
      for (const g of inner.globals) this.globals.add(g);
      this.pos = inner.pos;
      if (v instanceof Flagged) return NdArray.pending();
      if (!(v instanceof NdArray) || v.isPending) throw new MalformedPickleError('joblib object array payload is not a numpy array', this.op);
      if (v.size !== n) throw new MalformedPickleError('joblib object array shape does not match its payload', this.op);
      return v;
    }
    if (w.state.has('numpy_array_alignment_bytes') && w.get('numpy_array_alignment_bytes') !== null) {
      const pad = this.u8();
      if (pad > 64) throw new MalformedPickleError(`joblib array padding of ${pad} bytes`, this.op);
      this.bytes(pad);
    }
    const nbytes = n * dt.itemsize;
    if (nbytes > this.buf.length - this.pos) {
      throw new MalformedPickleError(`joblib array (${dims.join(', ')}) of ${dt.str} needs ${nbytes} bytes but only ${this.buf.length - this.pos} remain`, this.op);
    }
    const raw = this.bytes(nbytes);
    return new NdArray(dt, dims, order === 'F', raw, null);
  }
}

function describe(x: unknown): string {
  if (x === null) return 'None';
  if (Array.isArray(x)) return Object.isFrozen(x) ? 'tuple' : 'list';
  if (x instanceof Map) return 'dict';
  if (x instanceof Uint8Array) return 'bytes';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}
function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function parseIntText(s: string, offset: number): number | bigint {
  if (!/^[-+]?\d{1,400}$/.test(s)) throw new MalformedPickleError(`bad integer literal ${JSON.stringify(s.slice(0, 30))}`, offset);
  const b = BigInt(s);
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** Two's-complement little-endian integer (LONG1/LONG4). */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(b.length * 8);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

function parsePyStringLiteral(s: string, offset: number): string {
  const q = s[0];
  if ((q !== "'" && q !== '"') || s.length < 2 || s[s.length - 1] !== q) throw new MalformedPickleError('bad STRING literal', offset);
  const body = s.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };
    return map[e] ?? `\\${e}`;
  });
}

function rawUnicodeEscape(s: string, offset: number): string {
  try {
    return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, b?: string) => String.fromCodePoint(parseInt((a ?? b)!, 16)));
  } catch {
    throw new MalformedPickleError('bad UNICODE escape', offset);
  }
}
