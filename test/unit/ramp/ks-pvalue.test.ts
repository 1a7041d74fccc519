// The two-sample KS p-value against scipy.stats.ks_2samp's default (method='auto'): exact up to
// 10,000 values a sample (small samples with ties, equal and unequal sizes), asymptotic past that
// (scipy.stats.kstwo at round(n·m/(n+m)), itself checked on a grid that reaches each of its
// methods). Values written by test/fixtures/make_drift_cases.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ksStatistic } from '../../../labs/ramp/src/release/drift-stats.ts';
import { EXACT_MAX_N, ksAsymptoticPValue, ksExactPValue, ksPValue } from '../../../labs/ramp/src/release/ks-pvalue.ts';
import { kstwoSf } from '../../../labs/ramp/src/release/kstwo.ts';
import { ROOT } from './helpers.ts';

interface KsCase { a: number[]; b: number[]; statistic: number; pvalue: number }
interface Fixture {
  cases: KsCase[];
  asymptotic: Array<{ n: number; m: number; statistic: number; pvalue: number }>;
  kstwo: Array<{ n: number; x: number; sf: number }>;
}
const { cases, asymptotic, kstwo } = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'release', 'ks-cases.json'), 'utf8')) as Fixture;
const sorted = (a: number[]): Float64Array => Float64Array.from(a).sort();

/** Within 1e-9 of scipy, relative to the p-value (p-values span hundreds of orders of magnitude). */
function closeP(got: number, want: number): void {
  expect(Math.abs(got - want), `got ${got}, scipy ${want}`).toBeLessThanOrEqual(1e-9 * want + 1e-300);
}

describe('KS p-value (scipy ks_2samp, method auto)', () => {
  it.each(cases.map((c) => [c.a.length, c.b.length, c] as const))('%i vs %i values', (_n, _m, c) => {
    const a = sorted(c.a), b = sorted(c.b);
    const d = ksStatistic(a, b);
    expect(Math.abs(d - c.statistic)).toBeLessThanOrEqual(1e-12);
    closeP(ksPValue(d, a.length, b.length), c.pvalue);
  });

  it('covers ties within and across the samples, and p-values both near 1 and tiny', () => {
    const tied = cases.filter((c) => new Set(c.a).size < c.a.length && c.a.some((v) => c.b.includes(v)));
    expect(tied.length).toBeGreaterThan(cases.length / 2);
    expect(Math.max(...cases.map((c) => c.pvalue))).toBeGreaterThan(0.9);
    expect(Math.min(...cases.map((c) => c.pvalue))).toBeLessThan(1e-50);
  });

  it('is the exact value, not the asymptotic one, at these sizes', () => {
    // Where the two differ by more than the tolerance, the exact one must be the one returned.
    const differing = cases.filter((c) => Math.abs(ksAsymptoticPValue(c.statistic, c.a.length, c.b.length) - c.pvalue) > 1e-6 * c.pvalue);
    expect(differing.length).toBeGreaterThan(5);
    for (const c of differing) expect(ksExactPValue(c.statistic, c.a.length, c.b.length)).not.toBeNull();
  });

  it.each(asymptotic.map((c) => [c.n, c.m, c.pvalue, c] as const))('%i vs %i values (asymptotic), p = %d', (_n, _m, _p, c) => {
    closeP(ksPValue(c.statistic, c.n, c.m), c.pvalue);
  });

  it('switches to the asymptotic distribution past 10,000 values in a sample', () => {
    expect(ksPValue(0.02, EXACT_MAX_N + 1, 500)).toBe(ksAsymptoticPValue(0.02, EXACT_MAX_N + 1, 500));
    expect(ksPValue(0.02, EXACT_MAX_N, 500)).not.toBe(ksAsymptoticPValue(0.02, EXACT_MAX_N, 500));
  });

  it('is 1 when the samples do not differ, and refuses empty samples', () => {
    expect(ksPValue(0, 50, 70)).toBe(1);
    expect(() => ksPValue(0.1, 0, 5)).toThrow(/positive/);
  });
});

describe('scipy.stats.kstwo.sf (the asymptotic p-value)', () => {
  it.each(kstwo.map((c) => [c.n, c.x, c] as const))('n = %i, x = %d', (_n, _x, c) => {
    closeP(kstwoSf(c.n, c.x), c.sf);
  });

  it('reaches every method: tails from 1 down past 1e-100, n from 1 to 2,000,000', () => {
    const ns = new Set(kstwo.map((c) => c.n));
    for (const n of [1, 140, 141, 100_001, 2_000_000]) expect(ns.has(n)).toBe(true);
    expect(kstwo.some((c) => c.sf === 1)).toBe(true);
    expect(Math.min(...kstwo.map((c) => c.sf).filter((p) => p > 0))).toBeLessThan(1e-100);
  });
});
