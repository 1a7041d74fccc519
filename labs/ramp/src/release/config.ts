// ramp.yaml's release sections (`validate:` and `drift:`), schema-checked with zod. The other
// top-level keys (name, model, input, serve — written by `ramp init`) are left alone.
import type { RampFs } from '../host.ts';
import { errCode, readText } from '../files.ts';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { EXIT, RampError } from '../errors.ts';
import { METRICS } from './metrics.ts';

const MAX_CONFIG_BYTES = 1 << 20;

const metricName = z.string().superRefine((m, ctx) => {
  if (!(m in METRICS)) ctx.addIssue({ code: 'custom', message: `unknown metric "${m}"; known: ${Object.keys(METRICS).join(', ')}` });
});

const Check = z.strictObject({
  metric: metricName,
  /** An absolute floor (for metrics where larger is better) … */
  min: z.number().optional(),
  /** … or ceiling (where smaller is better). */
  max: z.number().optional(),
  /** How much worse than the baseline the candidate may be, in the metric's units. */
  max_worsening: z.number().nonnegative().optional(),
  /** The same as a percentage of the baseline's value. */
  max_worsening_pct: z.number().nonnegative().optional(),
  /** Check every slice too (default true). */
  slices: z.boolean().optional(),
});

export const ValidateConfig = z.strictObject({
  target: z.string().optional(),
  positive_class: z.union([z.string(), z.number()]).optional(),
  threshold: z.number().min(0).max(1).optional(),
  top_k_percent: z.number().gt(0).max(100).optional(),
  slices: z.array(z.string()).optional(),
  min_slice_rows: z.number().int().min(1).optional(),
  bar: z.array(Check).min(1).optional(),
});

const Method = z.strictObject({ method: z.string().optional(), threshold: z.number().nonnegative().optional() });

export const DriftConfig = z.strictObject({
  columns: z.array(z.string()).optional(),
  share: z.number().gt(0).max(1).optional(),
  numeric: Method.extend({ method: z.enum(['auto', 'ks', 'wasserstein', 'psi']).optional() }).optional(),
  categorical: Method.extend({ method: z.enum(['auto', 'chi2', 'jensenshannon']).optional() }).optional(),
});

const RampYaml = z.looseObject({ validate: ValidateConfig.optional(), drift: DriftConfig.optional() });

export type BarCheck = z.infer<typeof Check>;
export type ValidateSettings = z.infer<typeof ValidateConfig>;
export type DriftSettings = z.infer<typeof DriftConfig>;
export type RampConfig = z.infer<typeof RampYaml>;

function configError(file: string, message: string): RampError {
  return new RampError(`${file}: ${message}`, { code: 'bad_config', hint: 'Fix the file; `ramp validate --help` and `ramp drift --help` describe the fields.', exitCode: EXIT.USAGE });
}

/** Reads and checks ramp.yaml; errors name the file and the field. YAML aliases are capped (no bombs). */
export function loadConfig(fs: RampFs, file: string): RampConfig {
  let text: string;
  try {
    if (fs.stat(file).size > MAX_CONFIG_BYTES) throw configError(file, `larger than ${MAX_CONFIG_BYTES} bytes`);
    text = readText(fs, file);
  } catch (e) {
    if (e instanceof RampError) throw e;
    throw new RampError(`cannot read ${file}: ${errCode(e)}`, { code: 'not_found', hint: 'Pass the path of your ramp.yaml with --config.' });
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) throw configError(file, `not valid YAML: ${doc.errors[0]!.message}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw configError(file, `refused: ${(e as Error).message}`);
  }
  if (value === null || value === undefined) value = {};
  const parsed = RampYaml.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    throw configError(file, `${field}: ${issue.message}`);
  }
  return parsed.data;
}
