// `ramp drift` on the release fixtures: per-column statistics equal scipy's, the drifted column
// is found, stable traffic is not flagged, prediction drift with --model, streaming over chunks.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ramp, ROOT } from './helpers.ts';

const R = join(ROOT, 'test', 'fixtures', 'release');
const f = (name: string): string => join(R, name);
const expected = JSON.parse(readFileSync(f('expected.json'), 'utf8')) as { drift: Record<string, Record<string, Record<string, number | string[]>>> };
// scipy.stats.ks_2samp's default p-value (exact at these sizes), from make_drift_cases.py.
const ksDefault = (JSON.parse(readFileSync(f('ks-cases.json'), 'utf8')) as { fixtures: Record<string, Record<string, number>> }).fixtures;
const tmp = mkdtempSync(join(tmpdir(), 'ramp-drift-'));

const close = (got: number, want: number, what: string): void => {
  expect(Math.abs(got - want), `${what}: ${got} vs scipy ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
};

describe('ramp drift', () => {
  it.each(['recent', 'recent-stable'])('matches scipy column by column (%s)', (label) => {
    const r = ramp(['drift', '--reference', f('train.csv'), '--current', f(`${label}.csv`), '--json']);
    const j = r.json();
    for (const [col, want] of Object.entries(expected.drift[label]!)) {
      const got = j.columns.find((c: { column: string }) => c.column === col).details;
      if ('ks_statistic' in want) {
        close(got.ks_statistic, want.ks_statistic as number, `${col} KS`);
        const p = ksDefault[label]![col]!;
        expect(Math.abs(got.ks_pvalue - p), `${col} KS p: ${got.ks_pvalue} vs scipy ${p}`).toBeLessThanOrEqual(1e-9 * p);
        close(got.wasserstein, want.wasserstein as number, `${col} Wasserstein`);
        close(got.wasserstein_norm, want.wasserstein_norm as number, `${col} Wasserstein normed`);
        close(got.psi, want.psi as number, `${col} PSI`);
      } else {
        close(got.chi2_statistic, want.chi2_statistic as number, `${col} chi2`);
        close(got.chi2_pvalue, want.chi2_pvalue as number, `${col} chi2 p`);
        expect(got.chi2_dof).toBe(want.chi2_dof);
        close(got.jensenshannon, want.jensenshannon as number, `${col} JS`);
        expect(got.new_categories).toEqual(want.new_categories);
      }
    }
  });

  it('flags the drifted feature; the dataset drifts once the share is low enough (exit 6)', () => {
    const r = ramp(['drift', '--reference', f('train.csv'), '--current', f('recent.csv'), '--json']);
    expect(r.status).toBe(0);
    expect(r.json().drifted_columns).toEqual(['monthly_spend']);
    expect(r.json().skipped.map((s: { column: string }) => s.column)).toEqual(['customer_id']);
    const strict = ramp(['drift', '--reference', f('train.csv'), '--current', f('recent.csv'), '--share', '0.1']);
    expect(strict.status).toBe(6);
    expect(strict.stdout).toMatch(/✗ drift: 1 of 7 columns drifted.*monthly_spend/);
  });

  it('does not flag traffic from the training distribution, predictions included', () => {
    const r = ramp(['drift', '--reference', f('train.csv'), '--current', f('recent-stable.csv'), '--model', f('churn-v7.joblib'), '--share', '0.1', '--json']);
    expect(r.status, r.stdout).toBe(0);
    expect(r.json().prediction.drift).toBe(false);
  });

  it('reports prediction drift with --model (exit 6)', () => {
    const r = ramp(['drift', '--reference', f('train.csv'), '--current', f('recent.csv'), '--model', f('churn-v7.joblib'), '--json']);
    expect(r.status).toBe(6);
    expect(r.json().prediction.drift).toBe(true);
  });

  it('uses the small-sample tests below 1000 reference rows, and reports new categories', () => {
    const ref = join(tmp, 'ref.csv');
    const cur = join(tmp, 'cur.csv');
    writeFileSync(ref, `x,plan\n${Array.from({ length: 200 }, (_, i) => `${i % 50},${['a', 'b'][i % 2]}`).join('\n')}\n`);
    writeFileSync(cur, `x,plan\r\n${Array.from({ length: 100 }, (_, i) => `${(i % 50) + 20},"${['a', 'c'][i % 2]}"`).join('\r\n')}\r\n`);
    const j = ramp(['drift', '--reference', ref, '--current', cur, '--json']).json();
    const x = j.columns.find((c: { column: string }) => c.column === 'x');
    const plan = j.columns.find((c: { column: string }) => c.column === 'plan');
    expect([x.test, x.drift, plan.test, plan.drift]).toEqual(['ks', true, 'chi-square', true]);
    expect(plan.details.new_categories).toEqual(['c']);
  });

  it('streams a file larger than its read buffer', () => {
    const big = join(tmp, 'big.csv');
    const lines = ['v,cat'];
    for (let i = 0; i < 120_000; i++) lines.push(`${(i * 7919) % 1000}.5,café-${i % 3}`);
    writeFileSync(big, `${lines.join('\n')}\n`);
    const j = ramp(['drift', '--reference', big, '--current', big, '--json']).json();
    expect(j.current.rows).toBe(120_000);
    expect(j.columns.map((c: { details: { ks_statistic?: number; jensenshannon?: number } }) => c.details.ks_statistic ?? c.details.jensenshannon)).toEqual([0, 0]);
    expect(j.drift).toBe(false);
  });

  it('refuses bad input with the file and field named', () => {
    const cfg = join(tmp, 'ramp.yaml');
    writeFileSync(cfg, 'drift:\n  numeric: { method: magic }\n');
    const r = ramp(['drift', '--reference', f('train.csv'), '--current', f('recent.csv'), '--config', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ramp\.yaml: drift\.numeric\.method/);
    expect(ramp(['drift', '--reference', f('train.csv')]).status).toBe(2);
    expect(ramp(['drift', '--reference', f('nope.csv'), '--current', f('recent.csv')]).status).toBe(1);
  });
});
