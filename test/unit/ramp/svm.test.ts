// libsvm's arithmetic (svm.cpp) and sklearn's one-vs-one → one-vs-rest transform, plus
// decision_function on the SVC fixtures.
import { describe, expect, it } from 'vitest';
import { multiclassProbability, ovrDecision, powi, sigmoidPredict } from '../../../labs/ramp/src/estimators/svm.ts';
import { expectDecisions, fixtureModel } from './fixture-model.ts';

describe('libsvm helpers', () => {
  it('powi is exponentiation by squaring', () => {
    for (const b of [-2.5, 0, 0.3, 1.7]) for (const d of [0, 1, 2, 3, 5, 8]) expect(powi(b, d)).toBeCloseTo(b ** d, 12);
  });
  it("Platt's sigmoid is symmetric and stable at both ends", () => {
    for (const d of [-40, -1, 0, 0.5, 30]) expect(sigmoidPredict(d, -2, 0.3) + sigmoidPredict(-d, -2, -0.3)).toBeCloseTo(1, 15);
    expect(sigmoidPredict(1000, -1, 0)).toBe(1);
    expect(sigmoidPredict(-1000, -1, 0)).toBe(0);
  });
  it('pairwise coupling: probabilities sum to one; equal pairs give a uniform answer', () => {
    const k = 4;
    const r = new Float64Array(k * k).fill(0.5);
    const p = new Float64Array(k);
    multiclassProbability(k, r, p);
    for (const v of p) expect(v).toBeCloseTo(0.25, 12);
    const r2 = Float64Array.of(0, 0.9, 0.8, 0.1, 0, 0.3, 0.2, 0.7, 0);
    const p2 = new Float64Array(3);
    multiclassProbability(3, r2, p2);
    expect(p2[0]! + p2[1]! + p2[2]!).toBeCloseTo(1, 12);
    expect(p2[0]).toBeGreaterThan(p2[2]!);
    expect(p2[2]).toBeGreaterThan(p2[1]!);
  });
  it('ovr transform: a zero decision votes for the first class (libsvm votes for the second)', () => {
    const out = new Float64Array(3);
    ovrDecision(Float64Array.of(0, 0, 0), 3, out);
    expect(Array.from(out)).toEqual([2, 1, 0]);
    ovrDecision(Float64Array.of(1, -2, 0.5), 3, out);
    // votes: (0,1) → 0, (0,2) → 2, (1,2) → 1; confidences: 0: 1 + -2 = -1, 1: -1 + 0.5, 2: 2 - 0.5
    expect(Array.from(out)).toEqual([1 + -1 / 6, 1 + -0.5 / 4.5, 1 + 1.5 / 7.5]);
  });
});

describe('SVC voting', () => {
  it('tied votes go to the lowest class index, not the best ovr decision', () => {
    const { model, exp, rows } = fixtureModel('svc_rbf_multi');
    const tied = rows.slice(-4);
    const decisions = (exp.decision as number[][]).slice(-4);
    tied.forEach((r, i) => {
      expect(model.classes![model.predictIndex(r)]).toBe('setosa');
      expect(Math.floor(Math.max(...decisions[i]!))).toBe(1); // one vote each
    });
    // break_ties=True picks the argmax of the ovr decision on the same rows
    const bt = fixtureModel('svc_break_ties');
    const want = (bt.exp.predictions as string[]).slice(-4);
    expect(tied.map((r) => bt.model.classes![bt.model.predictIndex(r)])).toEqual(want);
    expect(want.some((w) => w !== 'setosa')).toBe(true);
  });
  it('hasProba follows probability=True', () => {
    expect(fixtureModel('svc_rbf_binary').model.hasProba).toBe(false);
    expect(fixtureModel('svc_proba_binary').model.hasProba).toBe(true);
  });
});

describe('SVC / NuSVC decision_function', () => {
  it.each(['svc_rbf_binary', 'svc_rbf_multi', 'svc_break_ties', 'svc_linear_ovo', 'svc_poly', 'svc_sigmoid', 'svc_poly_multi4',
    'svc_proba_binary', 'svc_proba_multi', 'nusvc', 'nusvc_binary'])('%s', (base) => expectDecisions(base));
});
