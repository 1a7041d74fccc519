// DEFLATE (RFC 1951) in plain JavaScript, with the zlib (RFC 1950) and gzip (RFC 1952) wrappers
// joblib writes, for compressed model files on any host: node:zlib does not exist in a browser
// tab, and the platform's DecompressionStream is asynchronous only. Output is capped: past
// `maxOutput` bytes decoding stops with a TooLarge error (a compression bomb never fills memory).
// Checksums (Adler-32, CRC-32 and the gzip length) are verified.

export class InflateError extends Error {
  /** The output would pass the cap. */
  tooLarge: boolean;
  constructor(message: string, tooLarge = false) {
    super(message);
    this.name = 'InflateError';
    this.tooLarge = tooLarge;
  }
}

const LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CLORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A lookup table indexed by the next `bits` input bits: (symbol << 4) | code length, 0 = no code. */
interface Table {
  table: Int32Array;
  bits: number;
}

function buildTable(lengths: ArrayLike<number>, n: number): Table {
  let max = 0;
  const count = new Int32Array(16);
  for (let i = 0; i < n; i++) { count[lengths[i]!]!++; if (lengths[i]! > max) max = lengths[i]!; }
  count[0] = 0;
  const next = new Int32Array(16);
  let code = 0;
  let left = 1;
  for (let b = 1; b < 16; b++) {
    code = (code + count[b - 1]!) << 1;
    next[b] = code;
    left = (left << 1) - count[b]!;
    if (left < 0) throw new InflateError('invalid Huffman code lengths (over-subscribed)');
  }
  const size = 1 << max;
  const table = new Int32Array(size);
  for (let sym = 0; sym < n; sym++) {
    const len = lengths[sym]!;
    if (!len) continue;
    let c = next[len]!++;
    let rev = 0;
    for (let i = 0; i < len; i++) { rev = (rev << 1) | (c & 1); c >>= 1; }
    for (let j = rev; j < size; j += 1 << len) table[j] = (sym << 4) | len;
  }
  return { table, bits: max };
}

let FIXED: [Table, Table] | null = null;
function fixedTables(): [Table, Table] {
  if (!FIXED) {
    const l = new Uint8Array(288);
    l.fill(8, 0, 144); l.fill(9, 144, 256); l.fill(7, 256, 280); l.fill(8, 280, 288);
    FIXED = [buildTable(l, 288), buildTable(new Uint8Array(30).fill(5), 30)];
  }
  return FIXED;
}

class Inflater {
  private readonly src: Uint8Array;
  pos: number;
  private bitbuf = 0;
  private bitcnt = 0;
  out: Uint8Array;
  len = 0;
  private readonly max: number;

  constructor(src: Uint8Array, pos: number, maxOutput: number) {
    this.src = src;
    this.pos = pos;
    this.max = maxOutput;
    this.out = new Uint8Array(Math.max(1024, Math.min(maxOutput, src.length * 4)));
  }

  private bits(n: number): number {
    while (this.bitcnt < n) {
      if (this.pos >= this.src.length) throw new InflateError('unexpected end of file');
      this.bitbuf |= this.src[this.pos++]! << this.bitcnt;
      this.bitcnt += 8;
    }
    const v = this.bitbuf & ((1 << n) - 1);
    this.bitbuf >>>= n;
    this.bitcnt -= n;
    return v;
  }

  private sym(t: Table): number {
    while (this.bitcnt < t.bits && this.pos < this.src.length) {
      this.bitbuf |= this.src[this.pos++]! << this.bitcnt;
      this.bitcnt += 8;
    }
    const e = t.table[this.bitbuf & ((1 << t.bits) - 1)]!;
    const l = e & 15;
    if (l === 0 || l > this.bitcnt) throw new InflateError(l === 0 ? 'invalid Huffman code' : 'unexpected end of file');
    this.bitbuf >>>= l;
    this.bitcnt -= l;
    return e >> 4;
  }

  private room(n: number): void {
    const need = this.len + n;
    if (need <= this.out.length) return;
    if (need > this.max) throw new InflateError('output over the limit', true);
    const grown = new Uint8Array(Math.min(this.max, Math.max(need, this.out.length * 2)));
    grown.set(this.out.subarray(0, this.len));
    this.out = grown;
  }

  /** Decodes blocks until the last one; `pos` is then the byte after the stream. */
  run(): void {
    for (let last = 0; !last;) {
      last = this.bits(1);
      const type = this.bits(2);
      if (type === 0) this.stored();
      else if (type === 1) this.codes(...fixedTables());
      else if (type === 2) this.codes(...this.dynamic());
      else throw new InflateError('invalid block type');
    }
    // Give back whole bytes read ahead.
    this.pos -= this.bitcnt >> 3;
    this.bitbuf = 0;
    this.bitcnt = 0;
  }

  private stored(): void {
    this.pos -= this.bitcnt >> 3;
    this.bitbuf = 0;
    this.bitcnt = 0;
    const s = this.src, p = this.pos;
    if (p + 4 > s.length) throw new InflateError('unexpected end of file');
    const n = s[p]! | (s[p + 1]! << 8);
    if ((n ^ (s[p + 2]! | (s[p + 3]! << 8))) !== 0xffff) throw new InflateError('invalid stored block lengths');
    if (p + 4 + n > s.length) throw new InflateError('unexpected end of file');
    this.room(n);
    this.out.set(s.subarray(p + 4, p + 4 + n), this.len);
    this.len += n;
    this.pos = p + 4 + n;
  }

  private dynamic(): [Table, Table] {
    const hlit = this.bits(5) + 257, hdist = this.bits(5) + 1, hclen = this.bits(4) + 4;
    const cl = new Uint8Array(19);
    for (let i = 0; i < hclen; i++) cl[CLORDER[i]!] = this.bits(3);
    const clt = buildTable(cl, 19);
    const lens = new Uint8Array(hlit + hdist);
    for (let i = 0; i < hlit + hdist;) {
      const sym = this.sym(clt);
      if (sym < 16) { lens[i++] = sym; continue; }
      let rep: number, val = 0;
      if (sym === 16) {
        if (i === 0) throw new InflateError('invalid bit length repeat');
        val = lens[i - 1]!;
        rep = 3 + this.bits(2);
      } else rep = sym === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
      if (i + rep > hlit + hdist) throw new InflateError('invalid bit length repeat');
      lens.fill(val, i, i + rep);
      i += rep;
    }
    if (lens[256] === 0) throw new InflateError('invalid code: missing end-of-block');
    return [buildTable(lens.subarray(0, hlit), hlit), buildTable(lens.subarray(hlit), hdist)];
  }

  private codes(lit: Table, dist: Table): void {
    for (;;) {
      const sym = this.sym(lit);
      if (sym < 256) {
        if (this.len >= this.out.length) this.room(1);
        this.out[this.len++] = sym;
        continue;
      }
      if (sym === 256) return;
      const li = sym - 257;
      if (li >= 29) throw new InflateError('invalid literal/length code');
      const n = LBASE[li]! + this.bits(LEXT[li]!);
      const di = this.sym(dist);
      if (di >= 30) throw new InflateError('invalid distance code');
      const d = DBASE[di]! + this.bits(DEXT[di]!);
      if (d > this.len) throw new InflateError('invalid distance too far back');
      this.room(n);
      const o = this.out;
      let at = this.len;
      if (d >= n) o.copyWithin(at, at - d, at - d + n);
      else for (let k = 0; k < n; k++, at++) o[at] = o[at - d]!;
      this.len += n;
    }
  }
}

function adler32(b: Uint8Array): number {
  let a = 1, s = 0;
  for (let i = 0; i < b.length;) {
    const end = Math.min(b.length, i + 5552);
    for (; i < end; i++) { a += b[i]!; s += a; }
    a %= 65521;
    s %= 65521;
  }
  return ((s << 16) | a) >>> 0;
}

let CRC: Int32Array | null = null;
function crc32(b: Uint8Array): number {
  if (!CRC) {
    CRC = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const u32be = (s: Uint8Array, p: number): number => ((s[p]! << 24) | (s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!) >>> 0;
const u32le = (s: Uint8Array, p: number): number => (s[p]! | (s[p + 1]! << 8) | (s[p + 2]! << 16) | (s[p + 3]! << 24)) >>> 0;

/** A zlib stream (joblib's .z / compress='zlib'). */
export function inflateZlib(src: Uint8Array, maxOutput: number): Uint8Array {
  if (src.length < 2 || (src[0]! & 15) !== 8 || ((src[0]! << 8) | src[1]!) % 31 !== 0) throw new InflateError('incorrect header check');
  if (src[1]! & 0x20) throw new InflateError('need dictionary');
  const inf = new Inflater(src, 2, maxOutput);
  inf.run();
  const out = inf.out.subarray(0, inf.len);
  if (inf.pos + 4 > src.length) throw new InflateError('unexpected end of file');
  if (u32be(src, inf.pos) !== adler32(out)) throw new InflateError('incorrect data check');
  return out;
}

/** A gzip file (joblib's .gz / compress='gzip'); concatenated members are joined. */
export function gunzip(src: Uint8Array, maxOutput: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let p = 0; p < src.length;) {
    if (src[p] !== 0x1f || src[p + 1] !== 0x8b) {
      if (parts.length) break; // trailing garbage after a member, as zlib tolerates
      throw new InflateError('incorrect header check');
    }
    if (src[p + 2] !== 8) throw new InflateError('unknown compression method');
    const flg = src[p + 3]!;
    p += 10;
    if (flg & 4) p += 2 + (src[p]! | (src[p + 1]! << 8));
    if (flg & 8) { while (p < src.length && src[p] !== 0) p++; p++; }
    if (flg & 16) { while (p < src.length && src[p] !== 0) p++; p++; }
    if (flg & 2) p += 2;
    if (p > src.length) throw new InflateError('unexpected end of file');
    const inf = new Inflater(src, p, maxOutput - total);
    inf.run();
    const out = inf.out.subarray(0, inf.len);
    p = inf.pos;
    if (p + 8 > src.length) throw new InflateError('unexpected end of file');
    if (u32le(src, p) !== crc32(out)) throw new InflateError('incorrect data check');
    if (u32le(src, p + 4) !== (out.length >>> 0)) throw new InflateError('incorrect length check');
    p += 8;
    parts.push(out);
    total += out.length;
  }
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(total);
  let at = 0;
  for (const part of parts) { all.set(part, at); at += part.length; }
  return all;
}
