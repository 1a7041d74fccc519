// The opcode machine and numpy reconstruction.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LimitError, MalformedPickleError, UnsafePickleError } from '../../../labs/ramp/src/errors.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { DType, half, NdArray } from '../../../labs/ramp/src/numpy.ts';
import { ALLOW_LIST, decodeLong, PyObject, unpickle } from '../../../labs/ramp/src/unpickler.ts';
import { MODELS } from './helpers.ts';

const b = (...parts: Array<number | string | number[] | Uint8Array>): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...Buffer.from(p, 'latin1'));
    else out.push(...p);
  }
  return Uint8Array.from(out);
};
const sbu = (s: string): number[] => [0x8c, Buffer.byteLength(s), ...Buffer.from(s)];
const u32 = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const u64 = (n: number): number[] => [...u32(n), 0, 0, 0, 0];
const load = (bytes: Uint8Array): unknown => unpickle(bytes).value;

describe('opcodes: scalars and strings', () => {
  it('protocol 0 text opcodes', () => {
    expect(load(b('I42\n.'))).toBe(42);
    expect(load(b('I01\n.'))).toBe(true);
    expect(load(b('I00\n.'))).toBe(false);
    expect(load(b('L-12345678901234567890L\n.'))).toBe(-12345678901234567890n);
    expect(load(b('F-2.5\n.'))).toBe(-2.5);
    expect(load(b("S'a\\nb\\x41'\n."))).toBe('a\nbA');
    expect(load(b('Vcaf\\u00e9\n.'))).toBe('café');
    expect(load(b('N.'))).toBe(null);
  });
  it('binary ints, floats, LONG1 signed, bools', () => {
    expect(load(b(0x80, 2, 'J', u32(-5 >>> 0), '.'))).toBe(-5);
    expect(load(b(0x80, 2, 'K', 200, '.'))).toBe(200);
    expect(load(b(0x80, 2, 'M', 0x34, 0x12, '.'))).toBe(0x1234);
    expect(load(b(0x80, 2, 'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], '.'))).toBe(1.5);
    expect(load(b(0x80, 2, 0x88, '.'))).toBe(true);
    expect(load(b(0x80, 2, 0x89, '.'))).toBe(false);
    // -2**40 as LONG1 (the pickleparser bug the research notes describe)
    expect(load(b(0x80, 2, 0x8a, 6, [0, 0, 0, 0, 0, 0xff], '.'))).toBe(-(2 ** 40));
    expect(decodeLong(Uint8Array.from([0xff]))).toBe(-1);
    expect(decodeLong(Uint8Array.from([0x80, 0]))).toBe(128);
    expect(decodeLong(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 1]))).toBe(2n ** 64n + 1n);
  });
  it('strings and bytes of every width', () => {
    expect(load(b(0x80, 4, sbu('héllo'), '.'))).toBe('héllo');
    expect(load(b(0x80, 4, 'X', u32(2), 'ok', '.'))).toBe('ok');
    expect(load(b(0x80, 4, 0x8d, u64(1), 'z', '.'))).toBe('z');
    expect(Array.from(load(b(0x80, 4, 'C', 2, [1, 2], '.')) as Uint8Array)).toEqual([1, 2]);
    expect(Array.from(load(b(0x80, 4, 'B', u32(1), [9], '.')) as Uint8Array)).toEqual([9]);
    expect(Array.from(load(b(0x80, 4, 0x8e, u64(1), [7], '.')) as Uint8Array)).toEqual([7]);
    expect(Array.from(load(b(0x80, 5, 0x96, u64(3), [1, 2, 3], '.')) as Uint8Array)).toEqual([1, 2, 3]);
    expect(load(b(0x80, 2, 'U', 3, 'abc', '.'))).toBe('abc');
    expect(load(b(0x80, 2, 'T', u32(2), 'xy', '.'))).toBe('xy');
  });
});

describe('opcodes: containers, memo, frames', () => {
  it('tuples, lists, dicts, sets', () => {
    expect(load(b(0x80, 2, ')', '.'))).toEqual([]);
    expect(load(b(0x80, 2, 'K', 1, 0x85, '.'))).toEqual([1]);
    expect(load(b(0x80, 2, 'K', 1, 'K', 2, 0x86, '.'))).toEqual([1, 2]);
    expect(load(b(0x80, 2, 'K', 1, 'K', 2, 'K', 3, 0x87, '.'))).toEqual([1, 2, 3]);
    expect(Object.isFrozen(load(b(0x80, 2, '(', 'K', 1, 't', '.')))).toBe(true);
    expect(load(b(0x80, 2, ']', '(', 'K', 1, 'K', 2, 'e', 'K', 3, 'a', '.'))).toEqual([1, 2, 3]);
    expect(load(b('(I1\nI2\nl.'))).toEqual([1, 2]);
    const d = load(b(0x80, 2, '}', '(', sbu('a'), 'K', 1, sbu('b'), 'K', 2, 'u', sbu('c'), 'K', 3, 's', '.')) as Map<string, number>;
    expect([...d.entries()]).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    const d2 = load(b('(S\'k\'\nI7\nd.')) as Map<string, number>;
    expect(d2.get('k')).toBe(7);
    const s = load(b(0x80, 4, 0x8f, '(', 'K', 1, 'K', 2, 0x90, '.')) as Set<number>;
    expect([...s]).toEqual([1, 2]);
    expect([...(load(b(0x80, 4, '(', 'K', 5, 0x91, '.')) as Set<number>)]).toEqual([5]);
  });
  it('memo: PUT/GET text, BINPUT/BINGET, LONG_BINPUT/LONG_BINGET, MEMOIZE', () => {
    expect(load(b('(I1\np0\ng0\nl.'))).toEqual([1, 1]);
    expect(load(b(0x80, 2, ']', 'q', 3, 'h', 3, 'a', '.'))).toHaveLength(1);
    const self = load(b(0x80, 2, ']', 'r', u32(70000), 'j', u32(70000), 'a', '.')) as unknown[];
    expect(self[0]).toBe(self); // recursive list, by reference
    expect(load(b(0x80, 4, sbu('x'), 0x94, 0x30, 'h', 0, '.'))).toBe('x');
    expect(() => load(b(0x80, 4, 'h', 9, '.'))).toThrow(MalformedPickleError);
  });
  it('POP, POP_MARK, DUP, FRAME', () => {
    expect(load(b(0x80, 4, 'K', 1, 'K', 2, '0', '.'))).toBe(1);
    expect(load(b(0x80, 4, 'K', 1, '(', 'K', 2, 'K', 3, '1', '.'))).toBe(1);
    expect(load(b(0x80, 4, ']', '2', 'a', '.'))).toHaveLength(1);
    expect(load(b(0x80, 4, 0x95, u64(3), 'K', 4, '.'))).toBe(4);
  });
  it('malformed streams raise MalformedPickleError with an offset', () => {
    for (const bad of [b(), b(0x80, 4), b(0x80, 4, 'K'), b(0x80, 4, '.'), b(0x80, 4, 'K', 1, 'K', 2, '.'), b(0x80, 4, 'e', '.'), b(0x80, 9, 'N', '.'), b('N', 0x80, 2, '.'), b(0x80, 4, 0xf0)]) {
      expect(() => load(bad)).toThrow(MalformedPickleError);
    }
    try { load(b(0x80, 4, 0x97, '.')); } catch (e) { expect((e as Error).message).toMatch(/out-of-band/); }
    expect(() => load(b(0x80, 4, 'N', '.', 'N'))).toThrow(/trailing/);
  });
});

describe('safety by construction', () => {
  it('refuses names outside the allow-list at resolve time, naming global and offset', () => {
    try {
      load(b(0x80, 4, 'N', '0', sbu('os'), sbu('system'), 0x93, '.'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnsafePickleError);
      expect((e as UnsafePickleError).message).toMatch(/os\.system at byte 16/);
      expect((e as UnsafePickleError).offset).toBe(16);
    }
    expect(() => load(b('c__builtin__\neval\n.'))).toThrow(/builtins\.eval/);
  });
  it('refuses INST, OBJ, EXT*, PERSID, BINPERSID', () => {
    for (const bad of [b('(ios\nsystem\n.'), b('(o.'), b(0x80, 2, 0x82, 1, '.'), b(0x80, 2, 0x83, 1, 0, '.'), b(0x80, 2, 0x84, 1, 0, 0, 0, '.'), b('Px\n.'), b(0x80, 2, 'N', 'Q', '.')]) {
      expect(() => load(bad)).toThrow(UnsafePickleError);
    }
  });
  it('REDUCE only on allow-listed constructors; BUILD never on a class', () => {
    expect(() => load(b(0x80, 4, sbu('numpy'), sbu('ndarray'), 0x93, ')', 'R', '.'))).toThrow(UnsafePickleError);
    expect(() => load(b(0x80, 4, sbu('numpy'), sbu('dtype'), 0x93, '}', 'b', '.'))).toThrow(/BUILD on numpy\.dtype/);
    expect(() => load(b(0x80, 4, 'K', 1, ')', 'R', '.'))).toThrow(UnsafePickleError);
    // allow-listed callable with the wrong argument shapes
    expect(() => load(b(0x80, 4, sbu('numpy.core.multiarray'), sbu('_reconstruct'), 0x93, sbu('x'), 0x85, 'R', '.'))).toThrow(UnsafePickleError);
    // an sklearn class built with data arguments is data; a callable among them is refused
    expect(load(b(0x80, 4, sbu('sklearn.pipeline'), sbu('Pipeline'), 0x93, 'K', 1, 0x85, 0x81, '.'))).toMatchObject({ cls: 'Pipeline', args: [1] });
    expect(() => load(b(0x80, 4, sbu('sklearn.pipeline'), sbu('Pipeline'), 0x93, sbu('_codecs'), sbu('encode'), 0x93, 0x85, 0x81, '.'))).toThrow(/a callable kept as a value/);
    // test helpers and vendored modules of sklearn are not data
    expect(() => load(b(0x80, 4, sbu('sklearn.utils._testing'), sbu('TempMemmap'), 0x93, ')', 0x81, '.'))).toThrow(UnsafePickleError);
  });
  it('the allow-list is exact module.name pairs, both numpy spellings', () => {
    for (const k of ['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', 'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar', 'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer', 'numpy.dtype', 'numpy.ndarray', 'joblib.numpy_pickle.NumpyArrayWrapper']) {
      expect(ALLOW_LIST.has(k), k).toBe(true);
    }
    for (const k of ['builtins.eval', 'builtins.getattr', 'os.system', 'numpy.__builtins__', 'copyreg.__newobj__', 'numpy.core.multiarray', 'functools.partial']) expect(ALLOW_LIST.has(k), k).toBe(false);
  });
  it('scan mode records every finding without constructing anything', () => {
    const bytes = b(0x80, 4, sbu('os'), sbu('system'), 0x93, sbu('x'), 0x85, 'R', '0', sbu('builtins'), sbu('eval'), 0x93, sbu('y'), 0x85, 'R', '0', 'N', '.');
    const r = unpickle(bytes, { mode: 'scan' });
    expect(r.findings.map((f) => f.what)).toEqual(['os.system', 'builtins.eval']);
    expect(r.findings[0]!.offset).toBe(14);
    expect(r.value).toBe(null);
  });
});

describe('limits', () => {
  it('memo, marks, stack, expansion, depth, allocation', () => {
    expect(() => load(b(0x80, 4, 'N', 'r', u32(0x7fffffff), '.'))).toThrow(LimitError);
    expect(() => unpickle(b(0x80, 4, 'N', 0x94, 0x94, 0x94, '.'), { limits: { maxMemo: 2 } })).toThrow(LimitError);
    expect(() => unpickle(b(0x80, 4, '(', '(', '(', 'N', '.'), { limits: { maxMarkDepth: 2 } })).toThrow(LimitError);
    expect(() => unpickle(b(0x80, 4, 'N', 'N', 'N', '.'), { limits: { maxStack: 2 } })).toThrow(LimitError);
    expect(() => load(b(0x80, 4, ']', ...Array(40).fill([0x32, 0x86]).flat(), '.'))).toThrow(/expands/);
    expect(() => unpickle(b(0x80, 4, ']', ']', ']', 'a', 'a', '.'), { limits: { maxDepth: 1 } })).toThrow(LimitError);
    expect(() => unpickle(b(0x80, 4, 'X', u32(100), 'a'.repeat(100), '.'), { limits: { maxAllocBytes: 50 } })).toThrow(LimitError);
    expect(() => loadPickleBytes(b(0x80, 4, 'N', '.'), 'load', { maxInputBytes: 2 })).toThrow(LimitError);
  });
});

describe('numpy reconstruction', () => {
  const exp = JSON.parse(readFileSync(join(MODELS, 'numpy', 'arrays.json'), 'utf8')) as Record<string, { shape?: number[]; dtype: string; values?: unknown[]; scalar?: unknown }>;
  const files = ['arrays.p2.pkl', 'arrays.p3.pkl', 'arrays.p4.pkl', 'arrays.p5.pkl', 'arrays.joblib', 'arrays.zlib.joblib', 'arrays_np2.p2.pkl', 'arrays_np2.p4.pkl', 'arrays_np2.p5.pkl'];
  it.each(files)('%s: every dtype, byte order, order and scalar', (f) => {
    const { result } = loadPickleBytes(readFileSync(join(MODELS, 'numpy', f)), 'load');
    const d = result.value as Map<string, unknown>;
    if (f.includes('np2')) expect(result.globals.some((g) => g.startsWith('numpy._core.'))).toBe(true);
    for (const [k, e] of Object.entries(exp)) {
      const v = d.get(k);
      if (e.scalar !== undefined) {
        expect(v, k).toBe(e.scalar);
        continue;
      }
      expect(v, k).toBeInstanceOf(NdArray);
      const a = v as NdArray;
      expect(a.shape, k).toEqual(e.shape);
      expect(a.dtype.str, k).toBe(e.dtype);
      if (e.dtype.startsWith('>')) expect(a.dtype.byteorder).toBe('>');
      const vals = Array.from(a.values() as ArrayLike<unknown>).map((x) => (typeof x === 'bigint' ? Number(x) : x));
      expect(vals, k).toEqual(e.values);
    }
  });
  it('half floats', () => {
    expect(half(0x3c00)).toBe(1);
    expect(half(0xc000)).toBe(-2);
    expect(half(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(half(0x7e00))).toBe(true);
    expect(half(0x0001)).toBe(2 ** -24);
  });
  it('structured tree nodes: pre-1.3 (56 bytes) and 1.3+ (64 bytes, missing_go_to_left) layouts', () => {
    for (const [f, size, hasMissing] of [['dtc.p4.pkl', 56, false], ['dtc_node13.p4.pkl', 64, true]] as const) {
      const { result } = loadPickleBytes(readFileSync(join(MODELS, f)), 'load');
      const est = result.value as PyObject;
      const tree = est.get('tree_') as { state: Map<string, unknown> };
      const nodes = tree.state.get('nodes') as NdArray;
      expect(nodes.dtype.itemsize).toBe(size);
      expect(nodes.hasField('missing_go_to_left')).toBe(hasMissing);
      expect(nodes.dtype.fields!.map((x) => x.name).slice(0, 4)).toEqual(['left_child', 'right_child', 'feature', 'threshold']);
      const left = nodes.field('left_child');
      expect(left[0]).toBe(1);
      expect(nodes.field('feature')[0]).toBeGreaterThanOrEqual(0);
    }
  });
  it('rejects arrays whose shape lies about their data', () => {
    const dt = new DType('f8', 0);
    expect(dt.itemsize).toBe(8);
    expect(() => new DType('f3', 0)).toThrow(MalformedPickleError);
  });
});
