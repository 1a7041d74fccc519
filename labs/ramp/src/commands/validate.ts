// `ramp validate CANDIDATE --baseline BASELINE --data holdout.csv --target COLUMN`: the release
// bar — feature parity, then metrics overall and per slice against the baseline.
import { EXIT, RampError, UsageError } from '../errors.ts';
import { exists } from '../files.ts';
import type { Label, Model } from '../estimators/index.ts';
import { DEFAULT_BAR, DEFAULT_MIN_SLICE_ROWS, evaluateBar, type BarRow } from '../release/bar.ts';
import { loadConfig, type BarCheck, type ValidateSettings } from '../release/config.ts';
import { loadReleaseModel } from '../release/load-model.ts';
import { classificationMetrics, METRICS, regressionMetrics, type MetricValues } from '../release/metrics.ts';
import { featureParity, type Parity } from '../release/parity.ts';
import { scoreModels, type Scored } from '../release/score.ts';
import { bold, dim, fmt, green, markdownTable, print, printJson, red, signed, table, yellow, type Out } from './output.ts';

export interface Args {
  pos: string[];
  flags: Map<string, string | true>;
}

const str = (a: Args, f: string): string | undefined => a.flags.get(f) as string | undefined;
const label = (l: Label): string => (typeof l === 'bigint' ? l.toString() : String(l));

function numFlag(a: Args, f: string, min: number, max: number): number | undefined {
  const v = str(a, f);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${f} must be a number between ${min} and ${max}, got ${v}`);
  return n;
}

/** The settings: ramp.yaml's `validate:` section, then flags over it. */
function settingsOf(a: Args, o: Out): ValidateSettings {
  const file = str(a, '--config');
  const cfg: ValidateSettings = file ? { ...(loadConfig(o.fs, file).validate ?? {}) } : {};
  const target = str(a, '--target');
  if (target) cfg.target = target;
  const slices = str(a, '--slice');
  if (slices) cfg.slices = slices.split('\n').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const threshold = numFlag(a, '--threshold', 0, 1);
  if (threshold !== undefined) cfg.threshold = threshold;
  const minRows = numFlag(a, '--min-slice-rows', 1, 1e9);
  if (minRows !== undefined) cfg.min_slice_rows = Math.floor(minRows);
  const metric = str(a, '--metric');
  const tol = numFlag(a, '--tolerance', 0, 1e12);
  if (metric !== undefined || tol !== undefined) {
    if (metric !== undefined && !(metric in METRICS)) throw new UsageError(`unknown metric "${metric}"`, `Metrics: ${Object.keys(METRICS).join(', ')}.`);
    cfg.bar = [{ metric: metric ?? 'roc_auc', max_worsening: tol ?? 0.01 }];
  }
  return cfg;
}

interface Report {
  parity: Parity;
  task: 'classifier' | 'regressor';
  positive: string | null;
  metrics: { baseline: Record<string, MetricValues>; candidate: Record<string, MetricValues> } | null;
  checks: BarRow[];
  n: number;
}

function positiveOf(m: Model, cfg: ValidateSettings): string | null {
  if (m.task !== 'classifier') return null;
  const classes = m.classes!.map(label);
  if (classes.length !== 2) throw new RampError(`ramp validate scores binary classifiers and regressors; ${m.estimator} has ${classes.length} classes`, { code: 'unsupported', exitCode: EXIT.UNSUPPORTED, hint: 'Multiclass metrics are not supported yet.' });
  const pos = cfg.positive_class === undefined ? classes[1]! : String(cfg.positive_class);
  if (!classes.includes(pos)) throw new UsageError(`positive_class ${pos} is not a class of the model`, `Classes: ${classes.join(', ')}.`);
  return pos;
}

/** Metrics per scope ("overall", "region=latam", …) for one model's scores. */
function metricsByScope(s: Scored, score: Float64Array, task: string, cfg: ValidateSettings): Map<string, MetricValues> {
  const compute = (idx: number[] | null): MetricValues => {
    const y = idx ? Float64Array.from(idx, (i) => s.y[i]!) : s.y;
    const p = idx ? Float64Array.from(idx, (i) => score[i]!) : score;
    return task === 'classifier' ? classificationMetrics(y, p, { threshold: cfg.threshold, topKPercent: cfg.top_k_percent }) : regressionMetrics(y, p);
  };
  const out = new Map<string, MetricValues>([['overall', compute(null)]]);
  for (const [col, values] of s.slices) {
    const groups = new Map<string, number[]>();
    values.forEach((v, i) => { let g = groups.get(v); if (!g) groups.set(v, (g = [])); g.push(i); });
    for (const v of [...groups.keys()].sort()) out.set(`${col}=${v}`, compute(groups.get(v)!));
  }
  return out;
}

function run(a: Args, o: Out): Report & { candidate: string; baseline: string; data: string; target: string } {
  if (a.pos.length !== 1) throw new UsageError(a.pos.length ? `unexpected argument ${a.pos[1]}` : 'missing candidate model file', 'Usage: ramp validate CANDIDATE --baseline BASELINE --data holdout.csv --target COLUMN');
  const candidate = a.pos[0]!;
  const baseline = str(a, '--baseline');
  const data = str(a, '--data');
  const cfg = settingsOf(a, o);
  if (!baseline) throw new UsageError('missing --baseline MODEL', 'The model in production to compare with.');
  if (!data) throw new UsageError('missing --data FILE', 'A labelled holdout CSV with a header.');
  if (!cfg.target) throw new UsageError('missing --target COLUMN', 'The label column in the data (or validate.target in ramp.yaml).');
  if (!exists(o.fs, data)) throw new RampError(`cannot read ${data}: ENOENT`, { code: 'not_found', hint: 'Pass a labelled CSV file with --data.' });
  const base = loadReleaseModel(o.fs, baseline);
  const cand = loadReleaseModel(o.fs, candidate);
  const parity = featureParity(base, cand);
  if (cand.task === 'transformer') throw new UsageError(`${candidate} is a transformer; validate compares classifiers or regressors`);
  const task = cand.task;
  const positive = positiveOf(cand, cfg);
  const out = { candidate, baseline, data, target: cfg.target, parity, task, positive, metrics: null, checks: [] as BarRow[], n: 0 };
  if (!parity.ok && parity.errors.some((e) => /lacks|takes|classes|is a /.test(e))) return out;
  const scored = scoreModels(o.fs, [base, cand], { file: data, target: cfg.target, slices: cfg.slices ?? [], positive, task });
  const mb = metricsByScope(scored, scored.scores[0]!, task, cfg);
  const mc = metricsByScope(scored, scored.scores[1]!, task, cfg);
  const bar: BarCheck[] = cfg.bar ?? [DEFAULT_BAR[task]];
  for (const c of bar) if (METRICS[c.metric]!.task !== task) throw new UsageError(`metric ${c.metric} is for a ${METRICS[c.metric]!.task}; this model is a ${task}`);
  const checks = evaluateBar(bar, [...mc.keys()], mb, mc, cfg.min_slice_rows ?? DEFAULT_MIN_SLICE_ROWS);
  return { ...out, n: scored.n, checks, metrics: { baseline: Object.fromEntries(mb), candidate: Object.fromEntries(mc) } };
}

export function cmdValidate(a: Args, o: Out): number {
  const r = run(a, o);
  const failed = r.checks.filter((c) => c.verdict === 'fail');
  const passed = r.parity.ok && failed.length === 0;
  if (o.json) printJson(o, { ...r, passed, verdict: passed ? 'pass' : 'bar not met' });
  else if (a.flags.has('--markdown')) print(o, markdown(r, passed));
  else human(r, o, passed);
  return passed ? EXIT.OK : EXIT.BAR_NOT_MET;
}

function rowsOf(r: Report): string[][] {
  return [['scope', 'metric', 'n', 'baseline', 'candidate', 'change', 'bar', 'verdict'], ...r.checks.map((c) => [c.scope, c.metric, String(c.n), fmt(c.baseline), fmt(c.candidate), signed(c.change), c.bar, c.verdict === 'fail' ? `FAIL: ${c.reason}` : c.verdict === 'not enough data' ? `not enough data (${c.reason})` : 'pass'])];
}

function human(r: ReturnType<typeof run>, o: Out, passed: boolean): void {
  print(o, `${bold(o, 'ramp validate')} ${r.candidate} vs ${r.baseline} on ${r.data}${r.n ? ` (${r.n} rows; target ${r.target}${r.positive !== null ? ` = ${r.positive}` : ''})` : ''}`);
  if (r.parity.ok) print(o, `${green(o, '✓ feature parity')}: same columns, order, kinds${r.task === 'classifier' ? ' and classes' : ''}`);
  else for (const e of r.parity.errors) print(o, `${red(o, '✗ feature parity')}: ${e}`);
  for (const w of r.parity.warnings) print(o, `${yellow(o, '! warning')}: ${w}`);
  if (!r.metrics) {
    print(o, dim(o, 'Metrics not computed: the candidate cannot read the same rows as the baseline. Fix feature parity first.'));
  } else {
    const names = Object.keys(METRICS).filter((m) => METRICS[m]!.task === r.task);
    const ob = r.metrics.baseline.overall!;
    const oc = r.metrics.candidate.overall!;
    print(o, `\n${bold(o, 'Overall')}`);
    print(o, table([['metric', 'baseline', 'candidate', 'change'], ...names.filter((m) => m in oc).map((m) => [m, fmt(ob[m]), fmt(oc[m]), signed(oc[m]! - ob[m]!)])], o));
    print(o, `\n${bold(o, 'Release bar')}`);
    print(o, table(rowsOf(r), o, (_ri, ci, s) => (ci === 7 ? (s.startsWith('FAIL') ? red(o, s) : s.startsWith('pass') ? green(o, s) : yellow(o, s)) : s)));
  }
  const failed = r.checks.filter((c) => c.verdict === 'fail');
  if (passed) print(o, `\n${green(o, '✓ the candidate meets the bar')}`);
  else print(o, `\n${red(o, '✗ the bar is not met')}: ${[...(r.parity.ok ? [] : ['feature parity']), ...failed.map((c) => `${c.metric} in ${c.scope}`)].join(', ')} (exit 6)`);
}

function markdown(r: ReturnType<typeof run>, passed: boolean): string {
  const lines = [`### ramp validate: ${passed ? '✅ meets the bar' : '❌ the bar is not met'}`, '', `\`${r.candidate}\` vs baseline \`${r.baseline}\` on \`${r.data}\` (${r.n} rows)`, ''];
  lines.push(r.parity.ok ? '- Feature parity: ✅' : `- Feature parity: ❌ ${r.parity.errors.join('; ')}`);
  for (const w of r.parity.warnings) lines.push(`- ⚠️ ${w}`);
  if (r.checks.length) lines.push('', markdownTable(rowsOf(r)));
  return lines.join('\n');
}

export const VALIDATE_HELP = `Usage: ramp validate CANDIDATE --baseline BASELINE --data holdout.csv --target COLUMN
                     [--slice COLUMN]... [--config ramp.yaml] [--json | --markdown]

Scores both models on the same labelled CSV with the runtime that serves them, and checks
the release bar:
  feature parity   same input columns, same order, same kinds (numeric/text), same classes;
                   categories the candidate never saw at training time are a warning
  metrics          classifier (binary): roc_auc, log_loss, accuracy, f1, precision, recall,
                   calibration_error, brier; regressor: rmse, mae, r2, mape — as sklearn.metrics
                   computes them, overall and per slice (one slice per value of each --slice column)
  the bar          from ramp.yaml's validate: section, or flags; by default the primary metric
                   (roc_auc, or rmse for a regressor) may be at most 0.01 (rmse: 2 %) worse than the
                   baseline's, overall and in every slice. Slices under 30 rows or with a single
                   class are "not enough data", not failures.

Options:
  --slice COLUMN           a slice column (repeat, or comma-separate)
  --metric NAME            the primary metric of the default bar
  --tolerance X            how much worse than the baseline it may be (default 0.01)
  --threshold P            positive when P(positive) >= P (default 0.5)
  --min-slice-rows N       smaller slices are "not enough data" (default 30)
  --config ramp.yaml       the bar, slices and target from a file (flags win)
  --markdown               a Markdown report for a merge request comment

ramp.yaml:
  validate:
    target: churned
    positive_class: 1          # default: the second class
    threshold: 0.5             # or top_k_percent: 10
    slices: [region, plan]
    min_slice_rows: 30
    bar:
      - { metric: roc_auc, min: 0.85, max_worsening: 0.01 }   # slices: false for overall only
      - { metric: log_loss, max_worsening_pct: 5 }

Exit codes: 0 the candidate meets the bar · 6 the bar is not met (a failed check or feature parity)
· 1 error (unreadable file, bad rows) · 2 usage (missing flag, unknown metric or column, bad ramp.yaml)
· 3 unsafe model · 4 malformed · 5 not supported yet (multiclass)`;
