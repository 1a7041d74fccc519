// Naive Bayes: scipy's logsumexp, ties, CategoricalNB's input checks.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../labs/ramp/src/errors.ts';
import { logsumexp } from '../../../labs/ramp/src/estimators/naive-bayes.ts';
import { fixtureModel } from './fixture-model.ts';

describe('logsumexp', () => {
  it('factors out the max, and 0 when the max is not finite', () => {
    expect(logsumexp(Float64Array.of(-1e4, -1e4))).toBeCloseTo(-1e4 + Math.log(2), 9);
    expect(logsumexp(Float64Array.of(-Infinity, 0))).toBe(0);
    expect(logsumexp(Float64Array.of(-Infinity, -Infinity))).toBe(-Infinity);
    expect(logsumexp(Float64Array.of(Infinity, 0))).toBe(Infinity); // as scipy 1.10
  });
});

describe('naive Bayes', () => {
  it('an all-zero row ties every class under a uniform prior: the first class wins', () => {
    const { model, rows } = fixtureModel('mnb_uniform');
    const zero = rows.find((r) => r.every((v) => v === 0))!;
    const p = new Float64Array(model.classes!.length);
    model.proba(zero, p);
    expect(new Set(p).size).toBe(1);
    expect(model.predictIndex(zero)).toBe(0);
  });
  it('GaussianNB far from every class still gives probabilities that sum to one', () => {
    const { model } = fixtureModel('gnb');
    const p = new Float64Array(3);
    model.proba(Float64Array.of(1e6, -1e6, 1e6, 1e6), p);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
  });
  it('CategoricalNB refuses negative and unseen category codes, truncates fractions', () => {
    const { model } = fixtureModel('catnb');
    expect(() => model.predictIndex(Float64Array.of(-1, 0, 0))).toThrow(InputError);
    expect(() => model.predictIndex(Float64Array.of(0, 6, 0))).toThrow(InputError);
    expect(() => model.predictIndex(Float64Array.of(0, 0, NaN))).toThrow(InputError);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    model.proba(Float64Array.of(2.9, 5, 1), a);
    model.proba(Float64Array.of(2, 5, 1), b);
    expect(a).toEqual(b);
  });
});
