// `ramp drift --reference train.csv --current recent.csv [--model MODEL] [--config ramp.yaml]`
import { EXIT, UsageError } from '../errors.ts';
import type { Model } from '../estimators/index.ts';
import { loadConfig, type DriftSettings } from '../release/config.ts';
import { collect, type ColumnSample } from '../release/drift-collect.ts';
import { categoricalDrift, DEFAULTS, numericDrift, type ColumnDrift } from '../release/drift.ts';
import { loadReleaseModel } from '../release/load-model.ts';
import { EXACT_MAX_N } from '../release/ks-pvalue.ts';
import { EXACT_LIMIT, MAX_DISTINCT, SKETCH_TOLERANCE } from '../release/numeric-summary.ts';
import { bold, dim, fmt, green, markdownTable, print, printJson, red, table, yellow, type Out } from './output.ts';
import type { Args } from './validate.ts';

const str = (a: Args, f: string): string | undefined => a.flags.get(f) as string | undefined;

function settingsOf(a: Args, o: Out): DriftSettings {
  const file = str(a, '--config');
  const cfg: DriftSettings = file ? { ...(loadConfig(o.fs, file).drift ?? {}) } : {};
  const s = str(a, '--share');
  if (s !== undefined) {
    const n = Number(s);
    if (!(n > 0 && n <= 1)) throw new UsageError(`--share must be a number in (0, 1], got ${s}`);
    cfg.share = n;
  }
  return cfg;
}

/** The columns compared: the model's inputs, the configured list, or every shared column. */
function columnsFor(cfg: DriftSettings, model: Model | null, refHeader: string[] | null) {
  return (header: string[]): string[] => {
    const names = cfg.columns ?? (model?.featureNames ?? header);
    const shared = refHeader ? names.filter((c) => refHeader.includes(c)) : names;
    for (const c of cfg.columns ?? []) if (!header.includes(c)) throw new UsageError(`drift.columns: "${c}" is not a column of the data`, `Columns: ${header.join(', ')}.`);
    return shared.filter((c) => header.includes(c));
  };
}

/** An all-distinct text column (an id) says nothing about drift: skipped, and said so. */
function idLike(s: ColumnSample): boolean {
  return !s.numeric && !!s.categories && s.categories.size > 50 && s.categories.size > 0.5 * (s.rows - s.missing);
}

export function runDrift(a: Args, o: Out) {
  const reference = str(a, '--reference');
  const current = str(a, '--current');
  if (!reference) throw new UsageError('missing --reference FILE', 'The training data (CSV), or a window of traffic you trust.');
  if (!current) throw new UsageError('missing --current FILE', 'Recent data (CSV), e.g. a prediction log written by ramp serve --log-predictions.');
  if (a.pos.length) throw new UsageError(`unexpected argument ${a.pos[0]}`);
  const cfg = settingsOf(a, o);
  const modelFile = str(a, '--model');
  const model = modelFile ? loadReleaseModel(o.fs, modelFile) : null;
  const ref = collect(o.fs, reference, columnsFor(cfg, model, null), model);
  const cur = collect(o.fs, current, columnsFor(cfg, model, ref.header), model);
  const columns: ColumnDrift[] = [];
  const skipped: Array<{ column: string; reason: string }> = [];
  for (const [name, c] of cur.columns) {
    const r = ref.columns.get(name);
    if (!r) { skipped.push({ column: name, reason: 'not in the reference' }); continue; }
    if (!cfg.columns && !model && (idLike(r) || idLike(c))) { skipped.push({ column: name, reason: 'an identifier (nearly every value distinct)' }); continue; }
    const numeric = r.numeric && c.numeric && !(r.text || c.text);
    columns.push(numeric ? numericDrift(name, r, c, cfg) : categoricalDrift(name, r, c, cfg));
  }
  const prediction = model && ref.prediction && cur.prediction ? numericDrift('prediction', ref.prediction, cur.prediction, cfg) : null;
  const drifted = columns.filter((c) => c.drift);
  const shareThreshold = cfg.share ?? DEFAULTS.share;
  const driftShare = columns.length ? drifted.length / columns.length : 0;
  const datasetDrift = driftShare >= shareThreshold;
  return {
    reference: { file: reference, rows: ref.rows }, current: { file: current, rows: cur.rows },
    model: modelFile ?? null, columns, skipped, prediction,
    drifted_columns: drifted.map((c) => c.column), share: driftShare, share_threshold: shareThreshold,
    dataset_drift: datasetDrift, drift: datasetDrift || !!prediction?.drift,
  };
}

export function cmdDrift(a: Args, o: Out): number {
  const r = runDrift(a, o);
  if (o.json) printJson(o, r);
  else if (a.flags.has('--markdown')) print(o, markdown(r));
  else human(r, o);
  return r.drift ? EXIT.BAR_NOT_MET : EXIT.OK;
}

function rowsOf(r: ReturnType<typeof runDrift>): string[][] {
  const all = r.prediction ? [...r.columns, r.prediction] : r.columns;
  return [['column', 'type', 'test', 'score', 'threshold', 'psi', 'drift', 'notes'], ...all.map((c) => [c.column, c.type, c.test, fmt(c.score), `${c.test === 'ks' || c.test === 'chi-square' ? 'p < ' : '≥ '}${c.threshold}`, fmt(c.psi), c.drift ? 'DRIFT' : 'no', notes(c)])];
}

function notes(c: ColumnDrift): string {
  const n: string[] = [];
  const nc = c.details.new_categories;
  if (Array.isArray(nc) && nc.length) n.push(`new: ${nc.slice(0, 5).join(', ')}${nc.length > 5 ? '…' : ''}`);
  if (typeof c.details.reference_mean === 'number' && c.drift) n.push(`mean ${fmt(c.details.reference_mean)} → ${fmt(c.details.current_mean as number)}`);
  if (Array.isArray(c.details.approximate)) n.push('≈ sketched');
  if (c.missing.current - c.missing.reference > 0.05) n.push(`missing ${fmt(c.missing.reference * 100)}% → ${fmt(c.missing.current * 100)}%`);
  return n.join('; ');
}

function human(r: ReturnType<typeof runDrift>, o: Out): void {
  print(o, `${bold(o, 'ramp drift')} ${r.current.file} (${r.current.rows} rows) vs reference ${r.reference.file} (${r.reference.rows} rows)${r.model ? `, predictions of ${r.model}` : ''}`);
  print(o, table(rowsOf(r), o, (_ri, ci, s) => (ci === 6 ? (s.startsWith('DRIFT') ? red(o, s) : s) : s)));
  for (const s of r.skipped) print(o, dim(o, `skipped ${s.column}: ${s.reason}`));
  const line = `${r.drifted_columns.length} of ${r.columns.length} columns drifted (share ${fmt(r.share)}, dataset drift at ≥ ${r.share_threshold})`;
  if (!r.drift) print(o, `${green(o, '✓ no drift')}: ${line}`);
  else print(o, `${red(o, '✗ drift')}: ${line}${r.drifted_columns.length ? ` — ${r.drifted_columns.join(', ')}` : ''}${r.prediction?.drift ? '; the predictions drifted' : ''} (exit 6)`);
  if (!r.drift && r.drifted_columns.length) print(o, yellow(o, `! drifted columns: ${r.drifted_columns.join(', ')}`));
}

function markdown(r: ReturnType<typeof runDrift>): string {
  return [`### ramp drift: ${r.drift ? '❌ drift' : '✅ no drift'}`, '', `\`${r.current.file}\` vs \`${r.reference.file}\``, '', markdownTable(rowsOf(r))].join('\n');
}

export const DRIFT_HELP = `Usage: ramp drift --reference train.csv --current recent.csv [--model MODEL]
                  [--config ramp.yaml] [--share X] [--json | --markdown]

Compares each column of the current data with the reference, with the test that fits its type
and size (as Evidently's default preset):
  numeric      up to ${1000} reference values: two-sample Kolmogorov–Smirnov, drift when p < 0.05
               (the p-value of scipy's ks_2samp: exact up to ${EXACT_MAX_N} values a sample);
               more: Wasserstein distance divided by the reference's standard deviation, drift ≥ 0.1
  categorical  up to ${1000}: chi-square (scipy's chi2_contingency), drift when p < 0.05;
               more: Jensen–Shannon distance (base 2), drift ≥ 0.1; new categories are listed
  PSI          always reported: the reference's deciles as bins, shares floored at 0.0001
With --model, the model's columns are compared and its predictions too (the positive-class
probability, or the predicted value). Identifier-like text columns are skipped. Missing values
are left out of the tests and their share reported. Files are read in one streaming pass, in
memory that does not grow with the rows: a numeric column keeps its first ${EXACT_LIMIT} values, then
the count of each value while it has at most ${MAX_DISTINCT} distinct ones — all exact — and past both
a quantile sketch, marked "≈ sketched" (in --json, details.approximate), whose statistics are
within ${SKETCH_TOLERANCE.ks_statistic} (KS statistic), ${SKETCH_TOLERANCE.wasserstein_norm} (normalised Wasserstein) and ${SKETCH_TOLERANCE.psi} (PSI) of the exact ones.

The dataset drifts when the share of drifted columns is at least --share (default 0.5).

ramp.yaml:
  drift:
    columns: [monthly_spend, plan]      # default: every shared column (or the model's)
    share: 0.5
    numeric: { method: auto, threshold: 0.1 }       # auto | ks | wasserstein | psi
    categorical: { method: auto, threshold: 0.1 }   # auto | chi2 | jensenshannon

Exit codes: 0 no drift · 6 drift (the dataset, or the model's predictions) · 1 error (unreadable
file, bad rows) · 2 usage (missing flag, bad ramp.yaml) · 3 unsafe model · 4 malformed`;
