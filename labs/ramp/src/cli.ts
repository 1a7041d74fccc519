// ramp: inspect, scan, predict and serve scikit-learn models — no Python.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT, InputError, MalformedPickleError, RampError, UnsafePickleError, UsageError, type Finding } from './errors.ts';
import { buildModel, predictRows, type Label, type Model } from './estimators/index.ts';
import { adviceFor, bundleKeys, describe, pickModel, structureOf, unsupportedSteps, type StepNode } from './estimators/structure.ts';
import { parseInputText, rowsOf } from './input.ts';
import { describeFormat, loadPickleBytes, readFileLimited, type FileFormat } from './load.ts';
import { exampleCurl, exampleRequest } from './page.ts';
import { createRampServer } from './serve.ts';
import { faultBanner, faultsFromFlag } from './fault-injector.ts';
import { cmdModelContract, MODEL_CONTRACT_HELP } from './commands/model-contract.ts';
import { cmdInitServiceClient } from './commands/init-service-client.ts';
import { cmdValidate, VALIDATE_HELP } from './commands/validate.ts';
import { cmdDrift, DRIFT_HELP } from './commands/drift.ts';
import { serveTraffic, TRAFFIC_HELP } from './commands/serve-traffic.ts';
import { PredictionLog } from './traffic/prediction-log.ts';
import { fillTemplate, loadTemplates } from './templates.ts';
import { DATA_COMMANDS } from './commands/data.ts';
import { cmdInitPipeline } from './commands/init-pipeline.ts';
import { DEFAULT_LIMITS, PyObject, type Limits } from './unpickler.ts';

export const VERSION = '0.1.0';

// ---------------------------------------------------------------------------
// output

interface Out {
  json: boolean;
  color: boolean;
}

function paint(o: Out, code: string, s: string): string {
  return o.color ? `\x1b[${code}m${s}\x1b[0m` : s;
}
const bold = (o: Out, s: string): string => paint(o, '1', s);
const red = (o: Out, s: string): string => paint(o, '31', s);
const green = (o: Out, s: string): string => paint(o, '32', s);
const yellow = (o: Out, s: string): string => paint(o, '33', s);
const dim = (o: Out, s: string): string => paint(o, '2', s);

function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}
function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x), 2)}\n`);
}

function table(rows: string[][], o: Out): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, c.length); });
  return rows.map((r, ri) => {
    const line = r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
    return ri === 0 ? bold(o, line) : line;
  }).join('\n');
}

function summary(pairs: Array<[string, string]>, o: Out): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  // Multi-line values (the step tree) continue under the value column.
  return pairs.map(([k, v]) => `${bold(o, k.padEnd(w))}  ${v.split('\n').join(`\n${' '.repeat(w + 2)}`)}`).join('\n');
}

// ---------------------------------------------------------------------------
// help

const HELP: Record<string, string> = {
  main: `ramp ${VERSION} — inspect, scan, predict and serve scikit-learn models (no Python needed)

Usage: ramp <command> [options]

Commands:
  inspect <model>              What is in a pickle/joblib file, and is it safe
  scan <model>                 Safety check only (never loads what it flags)
  predict <model> --input F    Offline predictions from JSON or CSV
  serve <model>                Live HTTP endpoint (KServe V2 + V1, /metrics)
  init <template> [dir]        Scaffold a project (templates: model-endpoint, service-client, pipeline)
  validate <candidate>         Release bar vs a baseline: feature parity, metrics per slice
  drift --reference --current  Data and prediction drift per column, streamed
  pipeline check|run|rules     House conventions, idempotent runs and backfills
  contract export|check        A model's interface for clients, and breaking changes to it
  contract test|lint|diff      Data contracts (Open Data Contract Standard)

Global options:
  --json           Machine-readable output (errors too, on stdout)
  --no-color       No colours (also NO_COLOR=1; colour is only used on a TTY)
  --max-bytes N    Input / decompressed size limit (default ${DEFAULT_LIMITS.maxInputBytes})
  -h, --help       Help for ramp or a command
  -v, --version    Print the version

Exit codes: 0 ok · 1 error · 2 usage · 3 unsafe model · 4 malformed or over limits · 5 not supported yet · 6 the bar is not met (validation, drift, conventions, a data contract, a breaking model contract change)
Run \`ramp <command> --help\` for details.`,
  inspect: `Usage: ramp inspect <model> [--key NAME] [--json]

Shows the estimator and the whole tree of steps (each marked supported or not),
the scikit-learn version recorded in the file, the file format (pickle
protocol; joblib raw or compressed), the input columns with their kinds,
classes and the safety verdict. A file holding a dict or tuple (a bundle)
lists its keys; --key picks the model in it.

Exit codes: 0 ok · 1 cannot read · 2 usage (bundle without --key) · 3 unsafe · 4 malformed, unsupported format or over limits · 5 a step ramp cannot run yet (the rest is still shown)`,
  scan: `Usage: ramp scan <model> [--key NAME] [--json]

Checks that loading the file cannot run code: every global must be on ramp's
exact allow-list and no opcode may call anything else. Walks the opcodes; never
constructs what it flags. Then checks that ramp can run every step.

Three answers: safe (exit 0); unsafe: would run code or reach a callable outside
the allow-list (exit 3, every finding listed); not supported yet: safe to load,
but a scikit-learn class ramp cannot run (exit 5, every such step listed).
Exit codes: 0 safe · 1 cannot read the file · 3 unsafe · 4 malformed, unsupported format or over limits · 5 not supported yet`,
  predict: `Usage: ramp predict <model> --input <file|-> [--proba] [--json]

Input formats:
  {"instances": [[...], ...]}                      rows of numbers (or objects keyed by feature name)
  {"inputs": [{"name","shape","datatype","data"}]}  an Open Inference Protocol (V2) request
  CSV with a header                                  columns matched to feature names, else by position

--proba adds class probabilities (classifiers only).
JSON output: {"predictions": [...], "probabilities": [[...]]}

Exit codes: 0 ok · 1 bad input / unsupported estimator · 2 usage · 3 unsafe · 4 malformed`,
  serve: `Usage: ramp serve <model> [--name NAME] [--port 8080] [--host 127.0.0.1] [--max-body 1048576] [--fault SPEC]…

Routes:
  GET  /                            model card and a form to try predictions
  GET  /v2/health/live, /v2/health/ready, /v2
  GET  /v2/models/NAME              model metadata (inputs/outputs)
  GET  /v2/models/NAME/ready
  POST /v2/models/NAME/infer        Open Inference Protocol (KServe V2)
  POST /v1/models/NAME:predict      KServe V1 {"instances": [...]}
  GET  /metrics                     Prometheus metrics

--port 0 picks a free port. SIGTERM/SIGINT finish in-flight requests, then exit 0.

Faults to practise against (off unless asked for; repeat --fault for other routes):
  --fault latency=200ms,error-rate=0.2,status=503
  keys: route=infer|all|v2_infer|v1_predict|v2_model_metadata|… (default infer)
        latency=D, or latency=D (median) with latency-p99=D for a long tail
        error-rate=F, status=429|500|502|503|504 (503), retry-after=S (1 with 429)
        drop-rate=F (connection closed, no answer), slow-body=D, slow-body-rate=F
        seed=N (the same faults run after run)
  --fault none starts with no rule; GET/PUT/DELETE /admin/faults read and change the rules
  while the server runs (PUT a SPEC a line). /metrics: ramp_faults_enabled, ramp_faults_injected_total.
--log-predictions DIR appends inputs and predictions to DIR/NAME-1.csv (see below).
Exit codes: 1 port in use / unsupported estimator · 2 usage (or a bad traffic.yaml) · 3 unsafe · 4 malformed
${TRAFFIC_HELP}`,
  contract: MODEL_CONTRACT_HELP,
  validate: VALIDATE_HELP,
  drift: DRIFT_HELP,
  init: `Usage: ramp init <template> [dir] [--model FILE] [--name NAME]
       ramp init service-client [dir] --model URL|FILE [--name NAME]

Creates a project from a template (default dir: the template name). With
--model, the input schema is filled from that model file.
Templates: model-endpoint; service-client (a typed TypeScript client with a
budget, retries, a circuit breaker and a fallback, its contract and tests
against ramp serve --fault; --model is required); pipeline (--name
<domain>__<source>__<entity>; see ramp pipeline rules)

Exit codes: 0 ok · 1 target is not an empty directory · 2 unknown template or a name that breaks the conventions`,
};

// ---------------------------------------------------------------------------
// args

const RELEASE_VALUE_FLAGS = ['--baseline', '--data', '--target', '--slice', '--config', '--metric', '--tolerance', '--threshold', '--min-slice-rows', '--reference', '--current', '--share', '--traffic', '--log-predictions'];

interface Parsed {
  cmd: string | null;
  pos: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--input', '--port', '--host', '--name', '--max-bytes', '--max-body', '--model', '--key', '--fault', '--expect', '--against', ...RELEASE_VALUE_FLAGS]);
const BOOL_FLAGS = new Set(['--json', '--no-color', '--proba', '--help', '--version', '--markdown']);
/** Flags that may be given more than once: their values are joined with newlines. */
const REPEAT_FLAGS = new Set(['--fault', '--slice']);
const ALIASES: Record<string, string> = { '-h': '--help', '-v': '--version', '-i': '--input', '-p': '--port' };
const COMMAND_FLAGS: Record<string, string[]> = {
  inspect: ['--max-bytes', '--key'],
  scan: ['--max-bytes', '--key'],
  predict: ['--input', '--proba', '--max-bytes', '--key'],
  serve: ['--name', '--port', '--host', '--max-body', '--max-bytes', '--key', '--fault', '--traffic', '--log-predictions'],
  init: ['--model', '--name', '--max-bytes', '--key'],
  contract: ['--expect', '--against', '--name', '--key', '--max-bytes'],
  validate: ['--baseline', '--data', '--target', '--slice', '--config', '--metric', '--tolerance', '--threshold', '--min-slice-rows', '--markdown'],
  drift: ['--reference', '--current', '--model', '--config', '--share', '--markdown'],
};

// The data engineer's commands (pipeline, contract): one block, see commands/data.ts.
for (const c of DATA_COMMANDS) {
  // `contract` is shared with the model contract (export|check): both helps, both sets of flags.
  HELP[c.name] = HELP[c.name] ? `${HELP[c.name]}\n\n${c.help}` : c.help;
  COMMAND_FLAGS[c.name] = [...new Set([...(COMMAND_FLAGS[c.name] ?? []), ...c.flags, '--max-bytes'])];
  for (const f of c.valueFlags) VALUE_FLAGS.add(f);
}

function parseArgs(argv: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '-') { pos.push(a); continue; }
    if (a === '--') { pos.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-')) {
      let val: string | undefined;
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
      a = ALIASES[a] ?? a;
      if (VALUE_FLAGS.has(a)) {
        if (val === undefined) {
          val = argv[++i];
          if (val === undefined) throw new UsageError(`${a} needs a value`);
        }
        flags.set(a, REPEAT_FLAGS.has(a) && flags.has(a) ? `${flags.get(a) as string}\n${val}` : val);
      } else if (BOOL_FLAGS.has(a)) {
        if (val !== undefined) throw new UsageError(`${a} takes no value`);
        flags.set(a, true);
      } else {
        throw new UsageError(`unknown option ${a}`);
      }
      continue;
    }
    pos.push(a);
  }
  const cmd = pos.shift() ?? null;
  return { cmd, pos, flags };
}

function intFlag(p: Parsed, name: string, def: number, min: number, max: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`${name} must be an integer between ${min} and ${max}, got ${String(v)}`);
  return n;
}

function limitsOf(p: Parsed): Partial<Limits> {
  const mb = intFlag(p, '--max-bytes', DEFAULT_LIMITS.maxInputBytes, 1, 2 ** 32);
  return { maxInputBytes: mb, maxDecompressedBytes: mb, maxAllocBytes: Math.max(DEFAULT_LIMITS.maxAllocBytes, mb * 2) };
}

function onePositional(p: Parsed, what: string): string {
  if (p.pos.length === 0) throw new UsageError(`missing ${what}`, `Usage: ${HELP[p.cmd!]!.split('\n')[0]!.replace('Usage: ', '')}`);
  if (p.pos.length > 1) throw new UsageError(`unexpected argument ${p.pos[1]}`);
  return p.pos[0]!;
}

// ---------------------------------------------------------------------------
// model loading

interface Loaded {
  model: Model;
  format: FileFormat;
  globals: string[];
}

function loadModel(file: string, limits: Partial<Limits>, key?: string): Loaded {
  const buf = readFileLimited(file, { ...DEFAULT_LIMITS, ...limits });
  const { result, format } = loadPickleBytes(buf, 'load', limits);
  return { model: buildModel(pickModel(result.value, key)), format, globals: result.globals };
}

const keyOf = (p: Parsed): string | undefined => p.flags.get('--key') as string | undefined;

/** The unsafe verdict from a scan's findings (throws), so inspect and scan agree. */
function unsafeError(file: string, findings: Finding[]): UnsafePickleError {
  return new UnsafePickleError(`${file} is unsafe: ${findings.length} finding${findings.length > 1 ? 's' : ''} (${findings[0]!.what} at byte ${findings[0]!.offset})`, findings[0]!.offset, findings);
}

function stepJson(n: StepNode): Record<string, unknown> {
  return { path: n.path, class: n.cls, supported: n.supported, ...(n.children.length ? { children: n.children.map(stepJson) } : {}) };
}

/** The step tree as indented lines ("name: Class"), unsupported steps marked. */
function stepLines(n: StepNode, o: Out, depth = 0): string[] {
  const parts = n.path.split(' › ');
  const label = depth === 0 || parts.length < 2 ? n.cls : `${parts[parts.length - 2]}: ${n.cls}`;
  const mark = n.supported ? '' : `  ${yellow(o, '← not supported yet')}`;
  return [`${'  '.repeat(depth)}${label}${mark}`, ...n.children.flatMap((c) => stepLines(c, o, depth + 1))];
}

function findingJson(f: Finding): Record<string, unknown> {
  return { kind: f.kind, what: f.what, offset: f.offset, why: f.why };
}

function labelStr(l: Label): string {
  return typeof l === 'string' ? l : String(l);
}

// ---------------------------------------------------------------------------
// commands

function cmdScan(p: Parsed, o: Out): number {
  const file = onePositional(p, 'model file');
  const limits = limitsOf(p);
  const buf = readFileLimited(file, { ...DEFAULT_LIMITS, ...limits });
  const { result, format } = loadPickleBytes(buf, 'scan', limits);
  const safe = result.findings.length === 0;
  // Only a safe file is loaded, to ask whether ramp can run every step.
  const unsupported = safe ? unsupportedSteps(structureOf(pickModel(loadPickleBytes(buf, 'load', limits).result.value, keyOf(p)))) : [];
  const verdict = !safe ? 'unsafe' : unsupported.length ? 'not supported yet' : 'safe';
  if (o.json) {
    printJson({ file, safe, verdict, format: formatJson(format), findings: result.findings.map(findingJson), unsupported: unsupported.map((n) => ({ path: n.path, class: n.cls, advice: adviceFor(n.cls) })), globals: result.globals });
  } else if (!safe) {
    print(`${red(o, `✗ unsafe: ${result.findings.length} finding${result.findings.length > 1 ? 's' : ''}`)}  ${file}`);
    print(table([['kind', 'what', 'offset', 'why'], ...result.findings.map((f) => [f.kind, f.what, String(f.offset), f.why])], o));
    print(dim(o, 'hint: do not load this file with pickle/joblib. Re-export the model from a trusted training run.'));
  } else if (unsupported.length) {
    print(`${yellow(o, `! not supported yet: ${unsupported.length} step${unsupported.length > 1 ? 's' : ''} ramp cannot run`)}  ${file}`);
    print(dim(o, `  safe to load: ${describeFormat(format)}; ${result.globals.length} globals, all on the allow-list`));
    for (const n of unsupported) print(`  ${n.path}\n    ${dim(o, adviceFor(n.cls))}`);
  } else {
    print(`${green(o, '✓ safe to load')}  ${file}`);
    print(dim(o, `  ${describeFormat(format)}; ${result.globals.length} globals, all on the allow-list; no code-running opcodes`));
  }
  return !safe ? EXIT.UNSAFE : unsupported.length ? EXIT.UNSUPPORTED : EXIT.OK;
}

function formatJson(f: FileFormat): Record<string, unknown> {
  return { container: f.container, compression: f.compression, protocol: f.protocol, file_bytes: f.fileBytes, stream_bytes: f.streamBytes, description: describeFormat(f) };
}

function cmdInspect(p: Parsed, o: Out): number {
  const file = onePositional(p, 'model file');
  const limits = limitsOf(p);
  const buf = readFileLimited(file, { ...DEFAULT_LIMITS, ...limits });
  const findings = loadPickleBytes(buf, 'scan', limits).result.findings;
  if (findings.length) throw unsafeError(file, findings);
  const { result, format } = loadPickleBytes(buf, 'load', limits);
  const keys = bundleKeys(result.value);
  const entry = (k: string): unknown => (result.value instanceof Map ? result.value.get(k) : (result.value as unknown[])[Number(k)]);
  const estimatorKeys = keys?.filter((k) => entry(k) instanceof PyObject) ?? [];
  if (keys && !p.flags.has('--key') && estimatorKeys.length !== 1) return inspectBundle(file, result.value, keys, o);
  const key = keyOf(p) ?? (keys ? estimatorKeys[0] : undefined);
  const bundle = keys ? { key, keys } : null;
  const root = pickModel(result.value, key);
  const tree = structureOf(root);
  const missing = unsupportedSteps(tree);
  // Show what could be read even when a step cannot run.
  let model: Model | null = null;
  if (missing.length === 0) model = buildModel(root);
  const safety = { safe: true, verdict: 'safe to load', findings: [], globals: result.globals };
  if (o.json) {
    printJson({
      file,
      estimator: tree.cls,
      steps: model?.steps ?? tree.children.map((c) => ({ name: c.path.split(' › ').pop(), estimator: c.cls })),
      tree: stepJson(tree),
      bundle,
      supported: missing.length === 0,
      unsupported: missing.map((n) => ({ path: n.path, class: n.cls, advice: adviceFor(n.cls) })),
      task: model?.task ?? null,
      sklearn_version: model?.sklearnVersion ?? versionOf(root),
      format: formatJson(format),
      n_features: model?.nFeatures ?? null,
      feature_names: model?.featureNames ?? null,
      inputs: model?.inputs ?? null,
      classes: model?.classes ?? null,
      n_outputs: model ? (model.task === 'classifier' ? 1 : model.nOutputs) : null,
      safety,
    });
    return missing.length ? EXIT.UNSUPPORTED : EXIT.OK;
  }
  const pairs: Array<[string, string]> = [['Model', file]];
  if (bundle) pairs.push(['Bundle', `a ${result.value instanceof Map ? 'dict' : 'tuple'}; the model is under key ${JSON.stringify(bundle.key)} (keys: ${bundle.keys.join(', ')})`]);
  pairs.push(['Estimator', tree.children.length ? stepLines(tree, o).join('\n') : tree.cls]);
  if (model) {
    pairs.push(['Task', model.task + (model.task === 'regressor' && model.nOutputs > 1 ? ` (${model.nOutputs} targets)` : '')]);
    pairs.push(['scikit-learn', model.sklearnVersion ?? yellow(o, 'not recorded')]);
    pairs.push(['Format', describeFormat(format)]);
    pairs.push(['Features', featuresLine(model)]);
    if (model.classes) pairs.push(['Classes', `${model.classes.length}: ${model.classes.map(labelStr).join(', ')}`]);
  } else {
    pairs.push(['scikit-learn', versionOf(root) ?? yellow(o, 'not recorded')]);
    pairs.push(['Format', describeFormat(format)]);
  }
  pairs.push(['Safety', `${green(o, 'safe')} — ${result.globals.length} globals, all on the allow-list`]);
  if (missing.length) pairs.push(['Supported', `${yellow(o, 'not yet')} — ${missing.map((n) => `${n.path}: ${adviceFor(n.cls)}`).join('\n')}`]);
  print(summary(pairs, o));
  return missing.length ? EXIT.UNSUPPORTED : EXIT.OK;
}

function versionOf(v: unknown): string | null {
  const s = v instanceof PyObject ? v.state.get('_sklearn_version') : null;
  return typeof s === 'string' ? s : null;
}

/** "4: a, b (text), ..." — the input columns, with the kind of the ones that take strings. */
function featuresLine(model: Model): string {
  if (!model.featureNames) return `${model.nFeatures} (no names recorded)`;
  return `${model.nFeatures}: ${model.inputs.map((c) => (c.kind === 'string' ? `${c.name} (text)` : c.name)).join(', ')}`;
}

function inspectBundle(file: string, value: unknown, keys: string[], o: Out): number {
  const get = (k: string): unknown => (value instanceof Map ? value.get(k) : (value as unknown[])[Number(k)]);
  if (o.json) {
    printJson({ file, bundle: true, keys: keys.map((k) => ({ key: k, type: describe(get(k)) })) });
  } else {
    print(summary([['Model', file], ['Bundle', `a ${value instanceof Map ? 'dict' : 'tuple'} with ${keys.length} keys`], ...keys.map((k): [string, string] => [`  ${k}`, describe(get(k))])], o));
    const estimators = keys.filter((k) => get(k) instanceof PyObject);
    if (estimators.length > 1) print(dim(o, `hint: it holds ${estimators.length} estimators; ramp serves one. Pick it with --key NAME; if they are the steps of one model, save them as one Pipeline.`));
    else print(dim(o, 'hint: no estimator in it; save the fitted model itself (joblib.dump(model, "model.joblib")).'));
  }
  return EXIT.OK;
}

function readInput(spec: string): string {
  if (spec === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(spec, 'utf8');
  } catch (e) {
    throw new RampError(`cannot read input ${spec}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { code: 'not_found', hint: 'Pass a JSON or CSV file, or - for stdin.' });
  }
}

function cmdPredict(p: Parsed, o: Out): number {
  const file = onePositional(p, 'model file');
  const input = p.flags.get('--input');
  if (typeof input !== 'string') throw new UsageError('missing --input <file|->', 'Example: ramp predict model.joblib --input rows.json');
  const wantProba = p.flags.has('--proba');
  const { model } = loadModel(file, limitsOf(p), keyOf(p));
  if (wantProba && model.task !== 'classifier') {
    throw new UsageError(`--proba needs a classifier; ${model.estimator} is a ${model.task}`, 'Drop --proba for this model.');
  }
  if (wantProba && model.hasProba === false) {
    throw new UsageError(`--proba: ${model.estimator} has no predict_proba in scikit-learn either`, 'Drop --proba; the prediction is the class.');
  }
  const rows = parseInputText(readInput(input), model);
  const res = predictRows(model, rowsOf(rows, model.nFeatures), wantProba);
  if (o.json) {
    printJson(res);
    return EXIT.OK;
  }
  const header = ['row', model.task === 'transformer' ? 'transform' : 'prediction'];
  if (wantProba) for (const c of model.classes!) header.push(`P(${labelStr(c)})`);
  const body = res.predictions.map((pr, i) => {
    const r = [String(i), Array.isArray(pr) ? pr.map(fmtNum).join(', ') : typeof pr === 'number' ? (model.task === 'classifier' ? String(pr) : fmtNum(pr)) : labelStr(pr)];
    if (wantProba) for (const v of res.probabilities![i]!) r.push(v.toFixed(4));
    return r;
  });
  print(table([header, ...body], o));
  return EXIT.OK;
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(10)).toString();
}

function defaultName(file: string): string {
  const b = basename(file).replace(/\.(pkl|pickle|joblib|gz|zlib|z|p\d)$/gi, '').replace(/\.(pkl|pickle|joblib|gz|zlib|z|p\d)$/gi, '');
  const s = b.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'model';
}

async function cmdServe(p: Parsed, o: Out): Promise<number> {
  const traffic = p.flags.get('--traffic') as string | undefined;
  const logDir = (p.flags.get('--log-predictions') as string | undefined) ?? null;
  if (traffic) {
    if (p.pos.length) throw new UsageError(`--traffic serves the models traffic.yaml names; drop ${p.pos[0]}`);
    return serveTraffic({ traffic, host: (p.flags.get('--host') as string | undefined) ?? '127.0.0.1', port: intFlag(p, '--port', 8080, 0, 65535), maxBodyBytes: intFlag(p, '--max-body', 1024 * 1024, 1, 1024 * 1024 * 1024), logDir, serverVersion: VERSION }, o);
  }
  const file = onePositional(p, 'model file');
  const name = (p.flags.get('--name') as string | undefined) ?? defaultName(file);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name)) throw new UsageError(`invalid model name ${JSON.stringify(name)}`, 'Use letters, digits, ".", "_" or "-".');
  const port = intFlag(p, '--port', 8080, 0, 65535);
  const host = (p.flags.get('--host') as string | undefined) ?? '127.0.0.1';
  const maxBody = intFlag(p, '--max-body', 1024 * 1024, 1, 1024 * 1024 * 1024);
  const faults = faultsFromFlag(p.flags.get('--fault'));
  const { model, format } = loadModel(file, limitsOf(p), keyOf(p));
  const log = logDir ? new PredictionLog(logDir, name, '1', model) : null;
  const srv = createRampServer(model, { name, host, port, maxBodyBytes: maxBody, version: VERSION, file: basename(file), format: describeFormat(format), faults, ...(log ? { onInfer: (rows, predict) => log.record(rows, predict) } : {}) });
  // Handle SIGTERM/SIGINT before anyone can learn the address: a signal that arrived between the
  // banner and the handlers would otherwise kill the process instead of draining it.
  const exited = new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) return;
      stopping = true;
      if (o.json) process.stdout.write(`${JSON.stringify({ event: 'draining', signal: sig })}\n`);
      else print(dim(o, `${sig}: finishing in-flight requests…`));
      void srv.drain().then(() => log?.close()).then(() => {
        if (o.json) process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
        else print('Stopped.');
        resolveExit(EXIT.OK);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  const addr = await srv.listen();
  const shownHost = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  const url = `http://${shownHost}:${addr.port}`;
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ event: 'listening', name, url, port: addr.port, host: addr.host, estimator: model.estimator, example: exampleRequest(model), ...(faults ? { faults: faults.state().rules } : {}) })}\n`);
  } else {
    print(`Serving ${bold(o, name)} on ${url}`);
    print(dim(o, `  ${model.estimator}, ${model.nFeatures} features${model.classes ? `, ${model.classes.length} classes` : ''} · model card: ${url}/ · metrics: ${url}/metrics`));
    // A one-tensor example fits a terminal; one tensor per column does not: point to where it is.
    const curl = exampleCurl(model, url, name);
    if (curl.length <= 320) {
      print('Example request:');
      print(curl);
    } else {
      print(`Inputs: one tensor per column (${model.inputs.length}); GET ${url}/v2/models/${encodeURIComponent(name)} lists them, and ${url}/ has an example request.`);
    }
    if (faults) print(yellow(o, faultBanner(faults, url).join('\n')));
    print(dim(o, 'Press Ctrl+C to stop.'));
  }
  return exited;
}

function cmdInit(p: Parsed, o: Out): number {
  const templates = loadTemplates();
  const names = Object.keys(templates);
  if (p.pos.length === 0) throw new UsageError('missing template name', `Templates: ${names.join(', ')}. Example: ramp init model-endpoint my-endpoint`);
  if (p.pos.length > 2) throw new UsageError(`unexpected argument ${p.pos[2]}`);
  const tname = p.pos[0]!;
  const tpl = templates[tname];
  if (!tpl) throw new UsageError(`unknown template "${tname}"`, `Templates: ${names.join(', ')}.`);
  const dir = resolve(p.pos[1] ?? tname);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new RampError(`${dir} is a file, not a directory`, { code: 'dir_not_empty', hint: 'Choose a new directory name, e.g. `ramp init model-endpoint my-endpoint`.' });
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new RampError(`${dir} is not empty; refusing to overwrite it`, { code: 'dir_not_empty', hint: 'Choose a new directory name, e.g. `ramp init model-endpoint my-endpoint`.' });
  }
  const modelFile = p.flags.get('--model') as string | undefined;
  const name = (p.flags.get('--name') as string | undefined) ?? defaultName(basename(dir));
  const vars: Record<string, string> = {
    name,
    model: 'model.joblib',
    estimator: 'unknown (run ramp inspect)',
    sklearn_version: 'unknown',
    n_features: '4',
    feature_names: '[]',
    columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((c) => `    - { name: ${c}, datatype: FP64 }`).join('\n'),
    request: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [[5.1, 3.5, 1.4, 0.2]] }] }, null, 2),
  };
  if (modelFile) {
    const { model } = loadModel(modelFile, limitsOf(p));
    vars.model = basename(modelFile);
    vars.estimator = model.estimator;
    vars.sklearn_version = model.sklearnVersion ?? 'unknown';
    vars.n_features = String(model.nFeatures);
    vars.feature_names = JSON.stringify(model.featureNames ?? []);
    vars.columns = model.inputs.map((c, j) => `    - { name: ${JSON.stringify(c.name ?? `feature ${j}`)}, datatype: ${c.kind === 'string' ? 'BYTES' : 'FP64'} }`).join('\n');
    vars.request = JSON.stringify(exampleRequest(model), null, 2);
  }
  const written: string[] = [];
  for (const [rel, text] of Object.entries(tpl)) {
    const dest = join(dir, rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, fillTemplate(text, vars));
    written.push(rel);
  }
  if (o.json) printJson({ template: tname, dir, files: written });
  else {
    print(`${green(o, 'Created')} ${dir} from template ${tname}:`);
    for (const f of written) print(`  ${f}`);
    print(`Next: read ${join(p.pos[1] ?? tname, 'README.md')}, then \`ramp scan <your model>\`.`);
  }
  return EXIT.OK;
}

// ---------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const noColorEnv = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  const o: Out = { json: argv.includes('--json'), color: !!process.stdout.isTTY && !noColorEnv && !argv.includes('--no-color') };
  try {
    const p = parseArgs(argv);
    if (p.flags.has('--version')) { print(o.json ? JSON.stringify({ version: VERSION }) : `ramp ${VERSION}`); return EXIT.OK; }
    if (!p.cmd) {
      if (p.flags.has('--help')) { print(HELP.main!); return EXIT.OK; }
      throw new UsageError('missing command', 'Run `ramp --help` to see the commands.');
    }
    if (p.cmd === 'help') { print(HELP[p.pos[0] ?? 'main'] ?? HELP.main!); return EXIT.OK; }
    const allowed = COMMAND_FLAGS[p.cmd];
    if (!allowed) throw new UsageError(`unknown command "${p.cmd}"`, 'Commands: inspect, scan, predict, serve, init, validate, drift, pipeline, contract. Run `ramp --help`.');
    if (p.flags.has('--help')) { print(HELP[p.cmd]!); return EXIT.OK; }
    for (const f of p.flags.keys()) {
      if (f !== '--json' && f !== '--no-color' && !allowed.includes(f)) throw new UsageError(`option ${f} does not apply to ramp ${p.cmd}`, `Run \`ramp ${p.cmd} --help\`.`);
    }
    switch (p.cmd) {
      case 'inspect': return cmdInspect(p, o);
      case 'scan': return cmdScan(p, o);
      case 'predict': return cmdPredict(p, o);
      case 'serve': return await cmdServe(p, o);
      case 'init':
        if (p.pos[0] === 'pipeline') return await cmdInitPipeline({ pos: p.pos.slice(1), flags: p.flags }, o);
        return p.pos[0] === 'service-client' ? await cmdInitServiceClient(p, o) : cmdInit(p, o);
      // `contract export|check` is a model's interface (app developers); test|lint|diff a data contract.
      case 'contract':
        if (p.pos[0] === 'export' || p.pos[0] === 'check') return await cmdModelContract(p, o);
        return await DATA_COMMANDS.find((c) => c.name === 'contract')!.run(p, o);
      case 'pipeline': return await DATA_COMMANDS.find((c) => c.name === p.cmd)!.run(p, o);
      case 'validate': return cmdValidate(p, o);
      case 'drift': return cmdDrift(p, o);
    }
    return EXIT.USAGE;
  } catch (e) {
    return reportError(e, o);
  }
}

function reportError(e: unknown, o: Out): number {
  let err: RampError;
  if (e instanceof RampError) err = e;
  else if (e instanceof RangeError && /call stack|Invalid array length|allocation/i.test(e.message)) err = new MalformedPickleError(`resource exhaustion: ${e.message}`);
  else err = new RampError(`unexpected error: ${(e as Error)?.message ?? String(e)}`, { hint: 'This is a bug in ramp; please report it with the command you ran.' });
  if (o.json) {
    const body: Record<string, unknown> = { code: err.code, message: err.message, hint: err.hint };
    if (err instanceof UnsafePickleError) body.findings = err.findings.map(findingJson);
    if (err instanceof InputError) body.code = 'bad_input';
    process.stdout.write(`${JSON.stringify({ error: body })}\n`);
  } else {
    process.stderr.write(`${red(o, 'error:')} ${err.message}\n`);
    if (err instanceof UnsafePickleError && err.findings.length > 1) {
      for (const f of err.findings.slice(0, 20)) process.stderr.write(`  - ${f.kind} ${f.what} at byte ${f.offset}: ${f.why}\n`);
    }
    if (err.hint) process.stderr.write(`${dim(o, 'hint:')} ${err.hint}\n`);
  }
  return err.exitCode;
}

const isMain = (() => {
  try {
    return typeof process !== 'undefined' && Array.isArray(process.argv) && !!process.argv[1] && !process.env.RAMP_NO_AUTORUN;
  } catch {
    return false;
  }
})();

if (isMain) {
  void main(process.argv.slice(2)).then((code) => {
    // flush stdout, then exit even if handles linger
    process.stdout.write('', () => process.exit(code));
  });
}
