// `ramp validate` on the release fixtures: metrics equal scikit-learn's (overall and per slice),
// the slice regression of churn-v8 fails the bar, churn-v9 passes, feature parity is checked,
// and bad ramp.yaml files are refused with the file and field named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ramp, ROOT } from './helpers.ts';

const R = join(ROOT, 'test', 'fixtures', 'release');
const f = (name: string): string => join(R, name);
const expected = JSON.parse(readFileSync(f('expected.json'), 'utf8')) as { metrics: Record<string, Record<string, Record<string, number>>> };
const tmp = mkdtempSync(join(tmpdir(), 'ramp-validate-'));
function config(text: string): string {
  const p = join(tmp, `ramp-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return p;
}
const churn = (cand: string, ...more: string[]): string[] => ['validate', f(cand), '--baseline', f('churn-v7.joblib'), '--data', f('holdout.csv'), '--target', 'churned', ...more];

function sameMetrics(got: Record<string, Record<string, number>>, want: Record<string, Record<string, number>>): void {
  // sklearn's expectations skip the rows whose slice value is missing; ramp adds a "(missing)" slice.
  expect(Object.keys(got).filter((k) => !k.endsWith('=(missing)')).sort()).toEqual(Object.keys(want).sort());
  for (const [scope, w] of Object.entries(want)) {
    for (const [k, v] of Object.entries(w)) {
      expect(Math.abs(got[scope]![k]! - v), `${scope} ${k}: ${got[scope]![k]} vs sklearn ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
    }
  }
}

describe('ramp validate', () => {
  it('computes the metrics scikit-learn computes, overall and per slice', () => {
    const r = ramp(churn('churn-v8.joblib', '--slice', 'region', '--slice', 'plan,contract', '--json'));
    const j = r.json();
    sameMetrics(j.metrics.baseline, expected.metrics['churn-v7']!);
    sameMetrics(j.metrics.candidate, expected.metrics['churn-v8']!);
  });

  it('fails the default bar on the slice where the candidate is worse (exit 6)', () => {
    const r = ramp(churn('churn-v8.joblib', '--slice', 'region', '--json'));
    expect(r.status).toBe(6);
    const j = r.json();
    expect(j.passed).toBe(false);
    expect(j.checks.filter((c: { verdict: string }) => c.verdict === 'fail').map((c: { scope: string }) => c.scope)).toEqual(['region=latam']);
    expect(j.parity.ok).toBe(true);
    expect(j.parity.warnings.join()).toMatch(/never saw "latam"/);
  });

  it('passes a candidate better everywhere (exit 0), in human and Markdown output too', () => {
    const r = ramp(churn('churn-v9.joblib', '--slice', 'region'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ the candidate meets the bar/);
    const md = ramp(churn('churn-v9.joblib', '--slice', 'region', '--markdown'));
    expect(md.stdout).toMatch(/^### ramp validate: ✅/);
    expect(md.stdout).toMatch(/\| region=latam \| roc_auc \|/);
  });

  it('fails feature parity when a column is renamed', () => {
    const r = ramp(churn('churn-v8-renamed.joblib', '--json'));
    expect(r.status).toBe(6);
    expect(r.json().parity.errors.join('\n')).toMatch(/lacks column "days_since_login"/);
  });

  it('scores regressors with sklearn\'s RMSE, MAE, R² and MAPE', () => {
    const r = ramp(['validate', f('spend-v2.joblib'), '--baseline', f('spend-v1.joblib'), '--data', f('holdout.csv'), '--target', 'next_spend', '--slice', 'region', '--slice', 'plan', '--slice', 'contract', '--json']);
    expect(r.status).toBe(6);
    sameMetrics(r.json().metrics.baseline, expected.metrics['spend-v1']!);
    sameMetrics(r.json().metrics.candidate, expected.metrics['spend-v2']!);
  });

  it('reports small slices as "not enough data", not as failures', () => {
    const r = ramp(churn('churn-v8.joblib', '--slice', 'region', '--min-slice-rows', '400', '--json'));
    const latam = r.json().checks.find((c: { scope: string }) => c.scope === 'region=latam');
    expect(latam.verdict).toBe('not enough data');
    expect(r.status).toBe(0);
  });

  it('takes the bar from ramp.yaml', () => {
    const cfg = config('name: churn\nvalidate:\n  target: churned\n  slices: [region]\n  bar:\n    - { metric: roc_auc, min: 0.9, slices: false }\n    - { metric: log_loss, max_worsening_pct: 50 }\n');
    const j = ramp(['validate', f('churn-v8.joblib'), '--baseline', f('churn-v7.joblib'), '--data', f('holdout.csv'), '--config', cfg, '--json']).json();
    const overall = j.checks.find((c: { metric: string }) => c.metric === 'roc_auc');
    expect(overall.verdict).toBe('fail');
    expect(overall.reason).toMatch(/below the minimum 0.9/);
    expect(j.checks.filter((c: { metric: string }) => c.metric === 'roc_auc')).toHaveLength(1);
  });

  it.each([
    ['validate:\n  bar:\n    - metric: auc\n', /validate\.bar\.0\.metric: unknown metric "auc"/],
    ['validate:\n  slicez: [region]\n', /validate: .*slicez/],
    ['validate:\n  threshold: 2\n', /validate\.threshold/],
    ['a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /refused|alias/i],
    ['validate: [unclosed\n', /not valid YAML/],
  ])('refuses a bad ramp.yaml with the file and field named (%#)', (text, msg) => {
    const cfg = config(text as string);
    const r = ramp(churn('churn-v9.joblib', '--config', cfg));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(cfg);
    expect(r.stderr).toMatch(msg as RegExp);
  });

  it('names an unknown slice or target column (exit 2) and a missing baseline (exit 2)', () => {
    expect(ramp(churn('churn-v9.joblib', '--slice', 'nope')).stderr).toMatch(/no slice column "nope"/);
    expect(ramp(['validate', f('churn-v9.joblib'), '--baseline', f('churn-v7.joblib'), '--data', f('holdout.csv'), '--target', 'gone']).status).toBe(2);
    expect(ramp(['validate', f('churn-v9.joblib'), '--data', f('holdout.csv'), '--target', 'churned']).status).toBe(2);
    expect(ramp(['validate', '--help']).stdout).toMatch(/6 the bar is not met/);
  });
});
