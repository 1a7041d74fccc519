// Ties in k-nearest neighbours and in voting: the fixtures (integer grids, 2-2 votes) check them
// against scikit-learn; these check the rules themselves on hand-made cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapPush, simultaneousSort } from '../../../labs/ramp/src/estimators/neighbors.ts';
import { buildModel } from '../../../labs/ramp/src/estimators/index.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { expected, MODELS } from './helpers.ts';

const load = (file: string) => buildModel(loadPickleBytes(readFileSync(join(MODELS, file)), 'load').result.value);

/** A tiny deterministic generator (no Math.random: failures must replay). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('the bounded heap and its sort', () => {
  it('keeps the k smallest values, whatever the order they come in', () => {
    const r = rng(1);
    for (let t = 0; t < 200; t++) {
      const k = 1 + Math.floor(r() * 6);
      const vals = Array.from({ length: 6 + Math.floor(r() * 30) }, () => Math.floor(r() * 5));
      const d = new Float64Array(k).fill(Infinity);
      const ix = new Int32Array(k);
      vals.forEach((v, i) => heapPush(d, ix, v, i));
      simultaneousSort(d, ix);
      const want = [...vals].sort((a, b) => a - b).slice(0, k);
      expect(Array.from(d)).toEqual(want);
      ix.forEach((i, j) => expect(vals[i]).toBe(d[j]));
    }
  });
  it('a value equal to the current k-th stays out: the first-come equidistant neighbour wins', () => {
    const d = new Float64Array(2).fill(Infinity);
    const ix = new Int32Array(2);
    for (const [v, i] of [[1, 0], [1, 1], [1, 2], [0.5, 3]] as const) heapPush(d, ix, v, i);
    simultaneousSort(d, ix);
    expect(Array.from(ix)).toEqual([3, 0]);
  });
});

describe('k-nearest neighbours on exact ties', () => {
  const algs = ['brute', 'kd_tree', 'ball_tree'];
  it('the three algorithms agree with sklearn on every tie fixture (labels exact)', () => {
    for (const alg of algs) for (const w of ['uniform', 'distance']) {
      const base = `knn_ties_${alg}_${w}`;
      const m = load(`${base}.p5.pkl`);
      const exp = expected(base);
      const got = exp.inputs.map((r) => m.classes![m.predictIndex(Float64Array.from(r as number[]))]);
      expect(got, base).toEqual(exp.predictions);
    }
  });
  it('a query at a training point: only the neighbours at distance 0 count (weight 1 each), exactly', () => {
    const m = load('knn_ties_kd_tree_distance.p5.pkl');
    const exp = expected('knn_ties_kd_tree_distance');
    const p = new Float64Array(m.classes!.length);
    m.proba(Float64Array.from(exp.inputs[0] as number[]), p);
    expect(Array.from(p)).toEqual(exp.probabilities![0]);
    expect(p.every((v) => v === 0 || v === 1 || v === 0.5 || v === 1 / 3 || v === 2 / 3 || v === 0.25 || v === 0.75)).toBe(true);
  });
});

describe('voting ties', () => {
  it('hard voting: a 2-2 split goes to the smaller class index (np.argmax of bincount)', () => {
    const exp = expected('voting_hard_ties');
    const m = load('voting_hard_ties.p5.pkl');
    const got = exp.inputs.map((r) => m.classes![m.predictIndex(Float64Array.from(r as number[]))]);
    expect(got).toEqual(exp.predictions);
    expect(m.hasProba).toBe(false);
  });
});
