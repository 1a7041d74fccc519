// Release metrics and drift statistics against scikit-learn and scipy (values written by
// test/fixtures/make_release_models.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classificationMetrics, regressionMetrics } from '../../../labs/ramp/src/release/metrics.ts';
import { binCounts, chi2Sf, chiSquare, jensenShannon, ksStatistic, psi, psiEdges, std, wasserstein } from '../../../labs/ramp/src/release/drift-stats.ts';
import { ROOT } from './helpers.ts';

const RELEASE = join(ROOT, 'test', 'fixtures', 'release');
interface Case {
  y_true: number[]; p: number[]; threshold: number; reg_true: number[]; reg_pred: number[];
  regression: Record<string, number>; ks_a: number[]; ks_b: number[]; drift: Record<string, number>;
  [metric: string]: unknown;
}
const cases = JSON.parse(readFileSync(join(RELEASE, 'metric-cases.json'), 'utf8')) as Case[];

/** Within 1e-9, relative to the value's size (absolute near zero). */
function close(got: number, want: number, tol = 1e-9): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
}
const sorted = (a: number[]): Float64Array => Float64Array.from(a).sort();

describe('classification metrics match sklearn.metrics', () => {
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const m = classificationMetrics(c.y_true, c.p, { threshold: c.threshold });
    for (const k of ['accuracy', 'f1', 'precision', 'recall', 'calibration_error', 'brier', 'roc_auc', 'log_loss']) {
      if (c[k] === undefined) expect(m[k]).toBeUndefined();
      else close(m[k]!, c[k] as number);
    }
  });
});

describe('regression metrics match sklearn.metrics', () => {
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const m = regressionMetrics(c.reg_true, c.reg_pred);
    for (const k of ['rmse', 'mae', 'r2', 'mape']) close(m[k]!, c.regression[k]!);
  });
  it('R² is 1 for a perfect fit of a constant and 0 otherwise (force_finite)', () => {
    expect(regressionMetrics([3, 3], [3, 3]).r2).toBe(1);
    expect(regressionMetrics([3, 3], [2, 3]).r2).toBe(0);
  });
});

describe('drift statistics match scipy', () => {
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const a = sorted(c.ks_a);
    const b = sorted(c.ks_b);
    close(ksStatistic(a, b), c.drift.ks_statistic!);
    close(wasserstein(a, b), c.drift.wasserstein!);
    close(wasserstein(a, b) / std(a), c.drift.wasserstein_norm!);
    const edges = psiEdges(a);
    close(psi(binCounts(a, edges), binCounts(b, edges)), c.drift.psi!);
  });
  it('chi-square p-values follow scipy.stats.chi2.sf', () => {
    // scipy.stats.chi2.sf(x, df) for a few points
    close(chi2Sf(3.84145882069412, 1), 0.05000000000000028, 1e-12);
    close(chi2Sf(10, 4), 0.04042768199451279, 1e-12);
    close(chi2Sf(0.5, 7), 0.9994464813904249, 1e-12);
    close(chi2Sf(100, 3) / 1.5541594313896026e-21, 1, 1e-9);
  });
  it('Yates correction applies with two categories only', () => {
    const two = chiSquare([30, 70], [45, 55]);
    expect(two.dof).toBe(1);
    close(two.statistic, 4.181333333333333);
    close(two.pvalue, 0.04087153408900628);
    expect(chiSquare([5], [9])).toEqual({ statistic: 0, pvalue: 1, dof: 0 });
    close(jensenShannon([1, 0], [0, 1]), 1);
  });
});
