// HistGradientBoosting: routing as sklearn's _predictor.pyx (NaN, thresholds, categories), and
// decision_function on the fixtures.
import { describe, expect, it } from 'vitest';
import { MalformedPickleError } from '../../../labs/ramp/src/errors.ts';
import { HgbTree, toUint8 } from '../../../labs/ramp/src/estimators/hist-gradient-boosting.ts';
import { DType, NdArray } from '../../../labs/ramp/src/numpy.ts';
import { PyObject } from '../../../labs/ramp/src/unpickler.ts';
import { expectDecisions } from './fixture-model.ts';

// PREDICTOR_RECORD_DTYPE of scikit-learn 1.2
const FIELDS: Array<[string, string]> = [
  ['value', 'f8'], ['count', 'u4'], ['feature_idx', 'u4'], ['num_threshold', 'f8'], ['missing_go_to_left', 'u1'],
  ['left', 'u4'], ['right', 'u4'], ['gain', 'f8'], ['depth', 'u4'], ['is_leaf', 'u1'], ['bin_threshold', 'u1'],
  ['is_categorical', 'u1'], ['bitset_idx', 'u4'],
];

type Node = Partial<Record<string, number>>;

function nodesArray(nodes: Node[]): NdArray {
  const fields = new Map<string, unknown>();
  let off = 0;
  const layout: Array<[string, DType, number]> = [];
  for (const [name, spec] of FIELDS) {
    const dt = new DType(spec, 0);
    dt.complete = true;
    fields.set(name, Object.freeze([dt, off]));
    layout.push([name, dt, off]);
    off += dt.itemsize;
  }
  const rec = new DType('V' + off, 0);
  rec.setState(Object.freeze([3, '|', null, Object.freeze(FIELDS.map((f) => f[0])), fields, off, 1, 16]), 0);
  const raw = new Uint8Array(off * nodes.length);
  const dv = new DataView(raw.buffer);
  nodes.forEach((n, i) => {
    for (const [name, dt, o] of layout) {
      const v = n[name] ?? 0;
      const at = i * off + o;
      if (dt.kind === 'f') dv.setFloat64(at, v, true);
      else if (dt.itemsize === 4) dv.setUint32(at, v, true);
      else dv.setUint8(at, v);
    }
  });
  return new NdArray(rec, [nodes.length], false, raw, null);
}

function predictor(nodes: Node[], leftCats: number[][] = []): PyObject {
  const p = new PyObject('TreePredictor');
  p.state.set('nodes', nodesArray(nodes));
  const bits = new Uint32Array(leftCats.length * 8);
  leftCats.forEach((cats, row) => cats.forEach((c) => { bits[row * 8 + (c >> 5)]! |= 1 << (c & 31); }));
  const dt = new DType('u4', 0);
  dt.complete = true;
  p.state.set('raw_left_cat_bitsets', new NdArray(dt, [leftCats.length, 8], false, new Uint8Array(bits.buffer), null));
  return p;
}

const leaf = (value: number): Node => ({ is_leaf: 1, value });

describe('HistGradientBoosting tree routing', () => {
  const numeric = (missingLeft: number) => new HgbTree(predictor([
    { feature_idx: 1, num_threshold: 0.5, missing_go_to_left: missingLeft, left: 1, right: 2 }, leaf(-1), leaf(1),
  ]), 2, new Uint8Array(2));
  const none = new Uint32Array(0);
  const fIdx = new Int32Array(2);

  it('goes left when x <= num_threshold, right just above it', () => {
    const t = numeric(0);
    expect(t.predict(Float64Array.of(9, 0.5), none, fIdx)).toBe(-1);
    expect(t.predict(Float64Array.of(9, 0.5000000000000001), none, fIdx)).toBe(1);
    expect(t.predict(Float64Array.of(9, -Infinity), none, fIdx)).toBe(-1);
    expect(t.predict(Float64Array.of(9, Infinity), none, fIdx)).toBe(1);
  });
  it('sends NaN where missing_go_to_left says', () => {
    expect(numeric(1).predict(Float64Array.of(0, NaN), none, fIdx)).toBe(-1);
    expect(numeric(0).predict(Float64Array.of(0, NaN), none, fIdx)).toBe(1);
  });
  it('categorical splits: the node bitset goes left, other known categories right, unknown and negative as missing', () => {
    const isCat = Uint8Array.of(1, 0);
    const known = new Uint32Array(8);
    for (const c of [0, 1, 2, 3, 40]) known[c >> 5]! |= 1 << (c & 31);
    const t = new HgbTree(predictor([
      { feature_idx: 0, is_categorical: 1, bitset_idx: 0, missing_go_to_left: 0, left: 1, right: 2 }, leaf(-1), leaf(1),
    ], [[1, 3, 40]]), 2, isCat);
    const p = (v: number) => t.predict(Float64Array.of(v, 0), known, fIdx);
    expect([p(1), p(3), p(40), p(3.9)]).toEqual([-1, -1, -1, -1]);
    expect([p(0), p(2)]).toEqual([1, 1]);
    expect([p(7), p(-1), p(-0.5), p(NaN)]).toEqual([1, 1, 1, 1]); // missing goes right here
    expect(p(257)).toBe(-1); // 257 -> 1 through the uint8 cast
  });
  it('casts categories to uint8 as the x86-64 build of sklearn does', () => {
    expect([toUint8(0), toUint8(5.99), toUint8(255.5), toUint8(256), toUint8(300), toUint8(1e10), toUint8(1e300)]).toEqual([0, 5, 255, 0, 44, 0, 0]);
  });
  it('refuses nodes whose children point backwards (no endless walk)', () => {
    expect(() => new HgbTree(predictor([{ feature_idx: 0, left: 0, right: 1 }, leaf(1)]), 1, new Uint8Array(1))).toThrow(MalformedPickleError);
    expect(() => new HgbTree(predictor([{ feature_idx: 5, left: 1, right: 2 }, leaf(1), leaf(2)]), 1, new Uint8Array(1))).toThrow(MalformedPickleError);
    expect(() => new HgbTree(predictor([{ feature_idx: 0, is_categorical: 1, left: 1, right: 2 }, leaf(1), leaf(2)]), 1, new Uint8Array(1))).toThrow(MalformedPickleError);
  });
});

describe('HistGradientBoostingClassifier decision_function', () => {
  it.each(['hgb_binary_nan', 'hgb_multi', 'hgb_cat_mask'])('%s', (base) => expectDecisions(base));
});
