// Per-column drift tests chosen by type and size (as Evidently's default preset does), and the
// dataset verdict from the share of drifted columns.
import type { DriftSettings } from './config.ts';
import type { ColumnSample } from './drift-collect.ts';
import { binCounts, chiSquare, jensenShannon, ksStatistic, psi, psiEdges, wasserstein } from './drift-stats.ts';
import { ksPValue } from './ks-pvalue.ts';

/** Up to this many reference rows, the statistical tests (KS, chi²); above, the distances. */
export const SMALL_SAMPLE = 1000;
export const DEFAULTS = { ks: 0.05, chi2: 0.05, wasserstein: 0.1, psi: 0.2, jensenshannon: 0.1, share: 0.5 };

export interface ColumnDrift {
  column: string;
  type: 'numeric' | 'categorical';
  test: string;
  /** The statistic compared with the threshold: a p-value for ks/chi2, else a distance. */
  score: number;
  threshold: number;
  drift: boolean;
  psi: number | null;
  details: Record<string, number | string[]>;
  missing: { reference: number; current: number };
}

export function numericDrift(column: string, ref: ColumnSample, cur: ColumnSample, cfg: DriftSettings): ColumnDrift {
  const base = { column, type: 'numeric' as const, missing: { reference: share(ref.missing, ref.rows), current: share(cur.missing, cur.rows) } };
  if (ref.count === 0 || cur.count === 0) return { ...base, test: 'none', score: NaN, threshold: NaN, drift: false, psi: null, details: { note: ['no values to compare'] } };
  const a = ref.numbers.sorted();
  const b = cur.numbers.sorted();
  const { mean: refMean, std: sd } = ref.numbers.moments();
  const d = ksStatistic(a, b);
  const p = ksPValue(d, ref.count, cur.count);
  const w = wasserstein(a, b);
  const wn = sd > 0 ? w / sd : w === 0 ? 0 : Infinity;
  const edges = psiEdges(a);
  const pv = psi(binCounts(a, edges), binCounts(b, edges));
  let method = cfg.numeric?.method ?? 'auto';
  if (method === 'auto') method = ref.count <= SMALL_SAMPLE ? 'ks' : 'wasserstein';
  const threshold = cfg.numeric?.threshold ?? DEFAULTS[method as 'ks' | 'wasserstein' | 'psi'];
  const score = method === 'ks' ? p : method === 'psi' ? pv : wn;
  const drift = method === 'ks' ? p < threshold : score >= threshold;
  const details: ColumnDrift['details'] = { ks_statistic: d, ks_pvalue: p, wasserstein: w, wasserstein_norm: wn, psi: pv, reference_mean: refMean, current_mean: cur.numbers.moments().mean };
  // Which samples a quantile sketch summarised: their statistics are within SKETCH_TOLERANCE.
  const sketched = (['reference', 'current'] as const).filter((_, k) => [ref, cur][k]!.numbers.kind === 'sketch');
  if (sketched.length) details.approximate = [...sketched];
  return { ...base, test: method === 'wasserstein' ? 'wasserstein (normed)' : method, score, threshold, drift, psi: pv, details };
}

export function categoricalDrift(column: string, ref: ColumnSample, cur: ColumnSample, cfg: DriftSettings): ColumnDrift {
  const rc = ref.categories ?? new Map<string, number>();
  const cc = cur.categories ?? new Map<string, number>();
  const cats = [...new Set([...rc.keys(), ...cc.keys()])].sort();
  const r = cats.map((c) => rc.get(c) ?? 0);
  const q = cats.map((c) => cc.get(c) ?? 0);
  const base = { column, type: 'categorical' as const, missing: { reference: share(ref.missing, ref.rows), current: share(cur.missing, cur.rows) } };
  const newCats = cats.filter((c) => !rc.has(c));
  if (cats.length === 0) return { ...base, test: 'none', score: NaN, threshold: NaN, drift: false, psi: null, details: { note: ['no values to compare'] } };
  const chi = chiSquare(r, q);
  const js = jensenShannon(r, q);
  let method = cfg.categorical?.method ?? 'auto';
  if (method === 'auto') method = ref.rows - ref.missing <= SMALL_SAMPLE ? 'chi2' : 'jensenshannon';
  const threshold = cfg.categorical?.threshold ?? DEFAULTS[method as 'chi2' | 'jensenshannon'];
  const score = method === 'chi2' ? chi.pvalue : js;
  const drift = method === 'chi2' ? score < threshold : score >= threshold;
  return { ...base, test: method === 'jensenshannon' ? 'jensen-shannon' : 'chi-square', score, threshold, drift, psi: psi(r, q), details: { chi2_statistic: chi.statistic, chi2_pvalue: chi.pvalue, chi2_dof: chi.dof, jensenshannon: js, new_categories: newCats } };
}

const share = (k: number, n: number): number => (n ? k / n : 0);
