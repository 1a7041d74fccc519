// numpy dtype / ndarray reconstruction from pickled state, without numpy.
// Arrays keep a zero-copy view of their raw bytes and decode lazily.
import { LimitError, MalformedPickleError } from './errors.ts';

export interface DTypeField {
  name: string;
  dtype: DType;
  offset: number;
}

export type Scalar = number | bigint | boolean | string | null;

/** A numpy dtype. Built by REDUCE(numpy.dtype, (str, align, copy)) and completed by BUILD(state). */
export class DType {
  kind: string; // b i u f c O U S V M m
  itemsize: number;
  byteorder: '<' | '>' | '|';
  fields: DTypeField[] | null = null;
  complete = false;
  constructor(spec: string, offset: number) {
    const m = /^([biufcOUSVMma])(\d*)$/.exec(spec);
    if (!m) throw new MalformedPickleError(`unknown numpy dtype '${spec.slice(0, 40)}'`, offset);
    this.kind = m[1] === 'a' ? 'S' : m[1]!;
    let size = m[2] ? Number(m[2]) : 0;
    if (this.kind === 'U') size *= 4;
    if (this.kind === 'O') size = 8;
    if (this.kind === 'b' && !m[2]) size = 1;
    this.itemsize = size;
    this.byteorder = this.kind === 'b' || this.kind === 'O' || (size <= 1 && this.kind !== 'U') ? '|' : '<';
    if ((this.kind === 'i' || this.kind === 'u') && ![1, 2, 4, 8].includes(size)) throw new MalformedPickleError(`bad integer dtype '${spec}'`, offset);
    if (this.kind === 'f' && ![2, 4, 8].includes(size)) throw new MalformedPickleError(`unsupported float dtype '${spec}'`, offset);
  }

  /** Apply the dtype __setstate__ tuple (version 3/4): (ver, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
  setState(state: unknown, offset: number): void {
    if (!Array.isArray(state) || state.length < 8) throw new MalformedPickleError('numpy dtype state must be an 8- or 9-tuple', offset);
    const [ver, bo, subarray, names, fields, elsize] = state as unknown[];
    if (ver !== 3 && ver !== 4) throw new MalformedPickleError(`unsupported numpy dtype state version ${String(ver)}`, offset);
    if (bo === '<' || bo === '|') this.byteorder = bo;
    else if (bo === '>') this.byteorder = '>';
    else if (bo === '=') this.byteorder = '<';
    else throw new MalformedPickleError(`bad dtype byte order ${JSON.stringify(bo)}`, offset);
    if (subarray !== null) throw new MalformedPickleError('numpy sub-array dtypes are not supported', offset);
    if (typeof elsize === 'number' && elsize >= 0) {
      if (!Number.isSafeInteger(elsize) || elsize > 1 << 20) throw new MalformedPickleError('bad dtype itemsize', offset);
      this.itemsize = elsize;
    }
    if (names !== null) {
      if (!Array.isArray(names) || !(fields instanceof Map)) throw new MalformedPickleError('structured dtype without names/fields', offset);
      const out: DTypeField[] = [];
      for (const n of names) {
        if (typeof n !== 'string') throw new MalformedPickleError('structured dtype field name is not a string', offset);
        const f = fields.get(n);
        if (!Array.isArray(f) || f.length < 2 || !(f[0] instanceof DType) || typeof f[1] !== 'number') {
          throw new MalformedPickleError(`structured dtype field '${n}' is malformed`, offset);
        }
        const fd = f[0] as DType;
        const off = f[1] as number;
        if (!Number.isSafeInteger(off) || off < 0 || off + fd.itemsize > this.itemsize) {
          throw new MalformedPickleError(`structured dtype field '${n}' lies outside the item`, offset);
        }
        out.push({ name: n, dtype: fd, offset: off });
      }
      this.fields = out;
    }
    this.complete = true;
  }

  get str(): string {
    if (this.kind === 'O') return '|O';
    return `${this.byteorder}${this.kind}${this.kind === 'U' ? this.itemsize / 4 : this.itemsize}`;
  }
}

const PENDING_DTYPE = new DType('V0', 0);

export function shapeCount(shape: readonly number[], offset: number): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new MalformedPickleError(`bad array dimension ${String(d)}`, offset);
    n *= d;
    if (n > 2 ** 40) throw new LimitError('array has more than 2^40 elements', offset);
  }
  return n;
}

export type Decoded = Float64Array | Float32Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Scalar[] | unknown[];

/** A numpy ndarray. Either `raw` (numeric/bool/str/structured) or `list` (object dtype). */
export class NdArray {
  dtype: DType;
  shape: number[];
  fortran: boolean;
  raw: Uint8Array | null;
  list: unknown[] | null;
  private cache: Decoded | null = null;
  constructor(dtype: DType, shape: number[], fortran: boolean, raw: Uint8Array | null, list: unknown[] | null) {
    this.dtype = dtype;
    this.shape = shape;
    this.fortran = fortran;
    this.raw = raw;
    this.list = list;
  }
  isPending = false;
  /** An array created by numpy's _reconstruct, filled in by BUILD. */
  static pending(): NdArray {
    const a = new NdArray(PENDING_DTYPE, [], false, null, null);
    a.isPending = true;
    return a;
  }
  fill(dtype: DType, shape: number[], fortran: boolean, raw: Uint8Array | null, list: unknown[] | null): void {
    this.dtype = dtype;
    this.shape = shape;
    this.fortran = fortran;
    this.raw = raw;
    this.list = list;
    this.isPending = false;
    this.cache = null;
  }
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }
  /** All elements in C order, decoded. */
  values(): Decoded {
    if (this.cache) return this.cache;
    let v: Decoded;
    if (this.list) v = this.list;
    else v = decodeRaw(this.dtype, this.raw!, this.size);
    if (this.fortran && this.shape.length > 1) v = fortranToC(v, this.shape);
    this.cache = v;
    return v;
  }
  /** Numbers (throws for non-numeric). */
  numbers(): Float64Array {
    const v = this.values();
    if (v instanceof Float64Array) return v;
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = (v as ArrayLike<unknown>)[i];
      if (typeof x === 'number') out[i] = x;
      else if (typeof x === 'bigint' || typeof x === 'boolean') out[i] = Number(x);
      else throw new MalformedPickleError(`expected a numeric array, found ${typeof x}`);
    }
    return out;
  }
  /** One field of a structured (record) array, as numbers, C order. */
  field(name: string): Float64Array {
    return this.fieldInto(name, new Float64Array(this.size));
  }
  /** A structured array's field, written straight into `out` (a typed array of this.size). */
  fieldInto<T extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array>(name: string, out: T): T {
    const f = this.dtype.fields?.find((x) => x.name === name);
    if (!f || !this.raw) throw new MalformedPickleError(`structured array has no field '${name}'`);
    const n = this.size;
    if (out.length !== n) throw new MalformedPickleError(`structured array field '${name}': ${out.length} slots for ${n} items`);
    const dv = new DataView(this.raw.buffer, this.raw.byteOffset, this.raw.byteLength);
    const step = this.dtype.itemsize;
    const le = f.dtype.byteorder !== '>';
    const key = f.dtype.kind + f.dtype.itemsize;
    if (key === 'i8') {
      // fast path: two 32-bit reads instead of BigInt (exact within ±2^53)
      for (let i = 0, o = f.offset; i < n; i++, o += step) {
        const lo = le ? dv.getUint32(o, true) : dv.getUint32(o + 4, false);
        const hi = le ? dv.getInt32(o + 4, true) : dv.getInt32(o, false);
        out[i] = hi * 4294967296 + lo;
      }
      return out;
    }
    if (key === 'f8') {
      for (let i = 0, o = f.offset; i < n; i++, o += step) out[i] = dv.getFloat64(o, le);
      return out;
    }
    // The other fixed-size fields of tree nodes (HistGradientBoosting has u1, u4, i4 and f4 ones):
    // one loop each, no per-element closure.
    switch (key) {
      case 'u1': case 'b1':
        for (let i = 0, o = f.offset; i < n; i++, o += step) out[i] = dv.getUint8(o);
        return out;
      case 'i1':
        for (let i = 0, o = f.offset; i < n; i++, o += step) out[i] = dv.getInt8(o);
        return out;
      case 'u4':
        for (let i = 0, o = f.offset; i < n; i++, o += step) out[i] = dv.getUint32(o, le);
        return out;
      case 'i4':
        for (let i = 0, o = f.offset; i < n; i++, o += step) out[i] = dv.getInt32(o, le);
        return out;
      case 'f4':
        for (let i = 0, o = f.offset; i < n; i++, o += step) out[i] = dv.getFloat32(o, le);
        return out;
    }
    const rd = reader(f.dtype);
    for (let i = 0; i < n; i++) out[i] = Number(rd(dv, i * step + f.offset));
    return out;
  }
  hasField(name: string): boolean {
    return !!this.dtype.fields?.some((x) => x.name === name);
  }
}

type Rd = (dv: DataView, off: number) => number | bigint | boolean;

function reader(dt: DType): Rd {
  const le = dt.byteorder !== '>';
  switch (dt.kind + dt.itemsize) {
    case 'b1': return (dv, o) => dv.getUint8(o) !== 0;
    case 'i1': return (dv, o) => dv.getInt8(o);
    case 'u1': return (dv, o) => dv.getUint8(o);
    case 'i2': return (dv, o) => dv.getInt16(o, le);
    case 'u2': return (dv, o) => dv.getUint16(o, le);
    case 'i4': return (dv, o) => dv.getInt32(o, le);
    case 'u4': return (dv, o) => dv.getUint32(o, le);
    case 'i8': return (dv, o) => { const b = dv.getBigInt64(o, le); return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b; };
    case 'u8': return (dv, o) => { const b = dv.getBigUint64(o, le); return b <= 9007199254740991n ? Number(b) : b; };
    case 'f2': return (dv, o) => half(dv.getUint16(o, le));
    case 'f4': return (dv, o) => dv.getFloat32(o, le);
    case 'f8': return (dv, o) => dv.getFloat64(o, le);
    default: throw new MalformedPickleError(`unsupported numpy dtype ${dt.str} for numeric data`);
  }
}

export function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decode one scalar (numpy.core.multiarray.scalar). */
export function decodeScalar(dt: DType, bytes: Uint8Array, offset: number): Scalar {
  if (bytes.length !== dt.itemsize) throw new MalformedPickleError(`numpy scalar has ${bytes.length} bytes, dtype ${dt.str} needs ${dt.itemsize}`, offset);
  const v = decodeRaw(dt, bytes, 1);
  return (v as ArrayLike<Scalar>)[0] ?? null;
}

function decodeRaw(dt: DType, raw: Uint8Array, n: number): Decoded {
  if (raw.length !== n * dt.itemsize) throw new MalformedPickleError(`array data has ${raw.length} bytes but shape × itemsize is ${n * dt.itemsize}`);
  const le = dt.byteorder !== '>';
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dt.kind === 'U') {
    const out: string[] = new Array(n);
    const chars = dt.itemsize / 4;
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let j = 0; j < chars; j++) {
        const cp = dv.getUint32(i * dt.itemsize + j * 4, le);
        if (cp === 0) break;
        if (cp > 0x10ffff) throw new MalformedPickleError('invalid code point in numpy unicode array');
        s += String.fromCodePoint(cp);
      }
      out[i] = s;
    }
    return out;
  }
  if (dt.kind === 'S') {
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let j = 0; j < dt.itemsize; j++) {
        const c = raw[i * dt.itemsize + j]!;
        if (c === 0) break;
        s += String.fromCharCode(c);
      }
      out[i] = s;
    }
    return out;
  }
  if (dt.kind === 'V' || dt.kind === 'O') {
    // structured arrays are read per field via NdArray.field()
    return [];
  }
  const key = dt.kind + dt.itemsize;
  // fast paths for little-endian data
  if (le) {
    const copy = new Uint8Array(raw); // aligned copy, detached from the input buffer (Buffer.slice would be a view)
    switch (key) {
      case 'f8': return new Float64Array(copy.buffer, 0, n);
      case 'f4': return new Float32Array(copy.buffer, 0, n);
      case 'i4': return new Int32Array(copy.buffer, 0, n);
      case 'i2': return new Int16Array(copy.buffer, 0, n);
      case 'i1': return new Int8Array(copy.buffer, 0, n);
      case 'u1': return new Uint8Array(copy.buffer, 0, n);
      case 'u2': return new Uint16Array(copy.buffer, 0, n);
      case 'u4': return new Uint32Array(copy.buffer, 0, n);
      default: break;
    }
  }
  const rd = reader(dt);
  if (key === 'f8' || key === 'f4' || key === 'f2') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = rd(dv, i * dt.itemsize) as number;
    return out;
  }
  const out: Scalar[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = rd(dv, i * dt.itemsize) as Scalar;
  return out;
}

function fortranToC(v: Decoded, shape: number[]): Decoded {
  const n = v.length;
  const nd = shape.length;
  const out: unknown[] | Float64Array = v instanceof Float64Array || ArrayBuffer.isView(v) ? new Float64Array(n) : new Array(n);
  // strides for F order
  const fStride: number[] = new Array(nd);
  let s = 1;
  for (let d = 0; d < nd; d++) { fStride[d] = s; s *= shape[d]!; }
  const idx = new Array(nd).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = 0; d < nd; d++) f += idx[d] * fStride[d]!;
    (out as unknown[])[c] = (v as ArrayLike<unknown>)[f];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out as Decoded;
}
