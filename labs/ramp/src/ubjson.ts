// A reader for Universal Binary JSON (ubjson.org, draft 12), the format XGBoost serialises its
// boosters in (json_io.cc UBJWriter): big-endian numbers, length-prefixed strings, and optimised
// containers ([$type#count) that decode to typed arrays. Objects become Maps. Pure data: nothing
// in the input is ever interpreted beyond its value, and counts are checked against the bytes left.
import { MalformedPickleError } from './errors.ts';

export type Ubj = null | boolean | number | bigint | string | Ubj[] | Map<string, Ubj> | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | number[];

const MAX_DEPTH = 64;

export function parseUbjson(bytes: Uint8Array): Ubj {
  const r = new Reader(bytes);
  const v = r.value(0);
  if (r.pos !== bytes.length) r.fail(`${bytes.length - r.pos} bytes after the value`);
  return v;
}

const SIZES: Record<string, number> = { i: 1, U: 1, I: 2, l: 4, L: 8, d: 4, D: 8, C: 1 };

class Reader {
  pos = 0;
  private dv: DataView;
  private b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  fail(why: string): never {
    throw new MalformedPickleError(`UBJSON: ${why} (byte ${this.pos})`);
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) this.fail('unexpected end of data');
  }

  private marker(): string {
    this.need(1);
    let c = String.fromCharCode(this.b[this.pos++]!);
    while (c === 'N') {
      this.need(1);
      c = String.fromCharCode(this.b[this.pos++]!);
    }
    return c;
  }

  private number(t: string): number | bigint {
    const size = SIZES[t];
    if (size === undefined) this.fail(`'${t}' is not a number type`);
    this.need(size);
    const p = this.pos;
    this.pos += size;
    switch (t) {
      case 'i': return this.dv.getInt8(p);
      case 'U': case 'C': return this.dv.getUint8(p);
      case 'I': return this.dv.getInt16(p, false);
      case 'l': return this.dv.getInt32(p, false);
      case 'd': return this.dv.getFloat32(p, false);
      case 'D': return this.dv.getFloat64(p, false);
      default: {
        const v = this.dv.getBigInt64(p, false);
        return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
      }
    }
  }

  private count(t = this.marker()): number {
    const n = this.number(t);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || t === 'd' || t === 'D') this.fail('bad length');
    return n;
  }

  private string(): string {
    const n = this.count();
    this.need(n);
    const s = new TextDecoder('utf-8', { fatal: true }).decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  value(depth: number, t = this.marker()): Ubj {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    switch (t) {
      case 'Z': return null;
      case 'T': return true;
      case 'F': return false;
      case 'S': return this.string();
      case 'H': return this.string();
      case '[': return this.array(depth);
      case '{': return this.object(depth);
      default: return this.number(t);
    }
  }

  private array(depth: number): Ubj {
    let type: string | null = null;
    let n = -1;
    let t = this.marker();
    if (t === '$') {
      type = this.marker();
      if (this.marker() !== '#') this.fail('typed array without a count');
      n = this.count();
    } else if (t === '#') n = this.count();
    if (type !== null && SIZES[type] !== undefined) return this.typed(type, n);
    const out: Ubj[] = [];
    if (n >= 0) {
      // each element takes at least a byte: a count larger than the data left is malformed
      if (type === null) this.need(n);
      for (let i = 0; i < n; i++) out.push(this.value(depth + 1, type ?? this.marker()));
      return out;
    }
    for (; t !== ']'; t = this.marker()) out.push(this.value(depth + 1, t));
    return out;
  }

  private typed(type: string, n: number): Ubj {
    const size = SIZES[type]!;
    this.need(n * size);
    const p = this.pos;
    this.pos += n * size;
    const get = (i: number): number => {
      const o = p + i * size;
      switch (type) {
        case 'i': return this.dv.getInt8(o);
        case 'U': case 'C': return this.dv.getUint8(o);
        case 'I': return this.dv.getInt16(o, false);
        case 'l': return this.dv.getInt32(o, false);
        case 'd': return this.dv.getFloat32(o, false);
        case 'D': return this.dv.getFloat64(o, false);
        default: return Number(this.dv.getBigInt64(o, false));
      }
    };
    const out = type === 'd' ? new Float32Array(n) : type === 'D' ? new Float64Array(n) : type === 'l' ? new Int32Array(n) : type === 'I' ? new Int16Array(n) : type === 'i' ? new Int8Array(n) : type === 'L' ? new Array<number>(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = get(i);
    return out;
  }

  private object(depth: number): Ubj {
    const out = new Map<string, Ubj>();
    let t = this.marker();
    let type: string | null = null;
    let n = -1;
    if (t === '$') {
      type = this.marker();
      if (this.marker() !== '#') this.fail('typed object without a count');
      n = this.count();
    } else if (t === '#') n = this.count();
    if (n >= 0) {
      this.need(n);
      for (let i = 0; i < n; i++) {
        const k = this.string();
        out.set(k, this.value(depth + 1, type ?? this.marker()));
      }
      return out;
    }
    for (; t !== '}'; t = this.marker()) {
      this.pos--;
      const k = this.string();
      out.set(k, this.value(depth + 1));
    }
    return out;
  }
}
