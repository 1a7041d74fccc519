// The release bar: each check compares the candidate with an absolute floor/ceiling and/or with
// the baseline (how much worse it may be), overall and per slice. Slices too small, or holding
// a single class, are "not enough data", never failures.
import type { BarCheck } from './config.ts';
import { METRICS, type MetricValues } from './metrics.ts';

/** The default bar: the primary metric may be at most this much worse than the baseline's. */
export const DEFAULT_BAR: Record<'classifier' | 'regressor', BarCheck> = {
  classifier: { metric: 'roc_auc', max_worsening: 0.01 },
  regressor: { metric: 'rmse', max_worsening_pct: 2 },
};
export const DEFAULT_MIN_SLICE_ROWS = 30;

export type Verdict = 'pass' | 'fail' | 'not enough data';

export interface BarRow {
  scope: string;
  metric: string;
  n: number;
  baseline: number | null;
  candidate: number | null;
  change: number | null;
  bar: string;
  verdict: Verdict;
  reason?: string;
}

export function describeBar(c: BarCheck): string {
  const parts: string[] = [];
  if (c.min !== undefined) parts.push(`≥ ${c.min}`);
  if (c.max !== undefined) parts.push(`≤ ${c.max}`);
  if (c.max_worsening !== undefined) parts.push(`at most ${c.max_worsening} worse`);
  if (c.max_worsening_pct !== undefined) parts.push(`at most ${c.max_worsening_pct}% worse`);
  return parts.join(', ') || 'reported';
}

export function checkOne(c: BarCheck, scope: string, base: MetricValues, cand: MetricValues, minRows: number): BarRow {
  const b = base[c.metric];
  const v = cand[c.metric];
  const n = cand.n ?? 0;
  const row: BarRow = { scope, metric: c.metric, n, baseline: b ?? null, candidate: v ?? null, change: b !== undefined && v !== undefined ? v - b : null, bar: describeBar(c), verdict: 'pass' };
  if (n < minRows || v === undefined || b === undefined || Number.isNaN(v) || Number.isNaN(b)) {
    row.verdict = 'not enough data';
    row.reason = n < minRows ? `${n} rows, fewer than ${minRows}` : 'a single class in this slice';
    return row;
  }
  const gib = METRICS[c.metric]!.greaterIsBetter;
  const reasons: string[] = [];
  if (c.min !== undefined && v < c.min) reasons.push(`below the minimum ${c.min}`);
  if (c.max !== undefined && v > c.max) reasons.push(`above the maximum ${c.max}`);
  const worse = gib ? b - v : v - b;
  const allowed = Math.min(c.max_worsening ?? Infinity, c.max_worsening_pct !== undefined ? (Math.abs(b) * c.max_worsening_pct) / 100 : Infinity);
  if (Number.isFinite(allowed) && worse > allowed + 1e-12) reasons.push(`${fmtWorse(worse)} worse than the baseline (allowed ${fmtWorse(allowed)})`);
  if (reasons.length) {
    row.verdict = 'fail';
    row.reason = reasons.join('; ');
  }
  return row;
}

const fmtWorse = (x: number): string => Number(x.toPrecision(3)).toString();

/** Every check, overall then per slice (scopes in the order given). */
export function evaluateBar(bar: BarCheck[], scopes: string[], base: Map<string, MetricValues>, cand: Map<string, MetricValues>, minRows: number): BarRow[] {
  const rows: BarRow[] = [];
  for (const c of bar) {
    for (const scope of scopes) {
      if (scope !== 'overall' && c.slices === false) continue;
      rows.push(checkOne(c, scope, base.get(scope)!, cand.get(scope)!, scope === 'overall' ? 1 : minRows));
    }
  }
  return rows;
}
