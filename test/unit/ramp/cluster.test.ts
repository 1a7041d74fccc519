// KMeans and IsolationForest beyond predict: sklearn's score_samples and decision_function, and
// the nearest-centre tie rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../labs/ramp/src/estimators/index.ts';
import { averagePathLength } from '../../../labs/ramp/src/estimators/cluster.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { expectClose, MODELS } from './helpers.ts';

const load = (file: string) => buildModel(loadPickleBytes(readFileSync(join(MODELS, file)), 'load').result.value);
const extra = (base: string) => JSON.parse(readFileSync(join(MODELS, `${base}.json`), 'utf8')) as { inputs: number[][]; extra: Record<string, number[]> };

describe('IsolationForest', () => {
  for (const base of ['iforest', 'iforest_features']) {
    it(`${base}: score_samples and decision_function as sklearn`, () => {
      const m = load(`${base}.p5.pkl`) as unknown as { scoreSamples(x: Float64Array): number; decision(x: Float64Array, out: Float64Array): void };
      const exp = extra(base);
      const out = new Float64Array(1);
      const scores = exp.inputs.map((r) => m.scoreSamples(Float64Array.from(r)));
      const dec = exp.inputs.map((r) => { m.decision(Float64Array.from(r), out); return out[0]!; });
      expectClose(scores, exp.extra.score_samples);
      expectClose(dec, exp.extra.decision_function);
    });
  }
  it('has no predict_proba, and says so', () => {
    const m = load('iforest.p5.pkl');
    expect(m.hasProba).toBe(false);
    expect(m.classes).toEqual([-1, 1]);
  });
  it('average path length: 0, 1, then 2 H(n-1) - 2 (n-1)/n', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.244770920119917, 12);
  });
});

describe('KMeans', () => {
  it('a point equidistant from two centres goes to the first (sklearn keeps the smaller index)', () => {
    const m = load('kmeans_ties.p5.pkl');
    expect(m.predictIndex(Float64Array.from([1, 0]))).toBe(0);
    expect(m.hasProba).toBe(false);
    expect(m.classes).toEqual([0, 1]);
  });
});
