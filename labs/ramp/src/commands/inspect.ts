// `ramp scan` and `ramp inspect`: is the file safe, and what is in it.
import { EXIT } from '../errors.ts';
import { buildModel, type Model } from '../estimators/index.ts';
import { adviceFor, bundleKeys, describe, pickModel, structureOf, unsupportedSteps, type StepNode } from '../estimators/structure.ts';
import { describeFormat, loadPickleBytes, readFileLimited, type FileFormat } from '../load.ts';
import { DEFAULT_LIMITS, PyObject } from '../unpickler.ts';
import { keyOf, limitsOf, onePositional, type Parsed } from '../args.ts';
import { findingJson, labelStr, unsafeError } from './model-load.ts';
import { dim, green, print, printJson, red, summary, table, yellow, type Out } from './output.ts';

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


export function cmdScan(p: Parsed, o: Out): number {
  const file = onePositional(p, 'model file');
  const limits = limitsOf(p);
  const buf = readFileLimited(o.fs, file, { ...DEFAULT_LIMITS, ...limits });
  const { result, format } = loadPickleBytes(buf, 'scan', limits);
  const safe = result.findings.length === 0;
  // Only a safe file is loaded, to ask whether ramp can run every step.
  const unsupported = safe ? unsupportedSteps(structureOf(pickModel(loadPickleBytes(buf, 'load', limits).result.value, keyOf(p)))) : [];
  const verdict = !safe ? 'unsafe' : unsupported.length ? 'not supported yet' : 'safe';
  if (o.json) {
    printJson(o, { file, safe, verdict, format: formatJson(format), findings: result.findings.map(findingJson), unsupported: unsupported.map((n) => ({ path: n.path, class: n.cls, advice: adviceFor(n.cls) })), globals: result.globals });
  } else if (!safe) {
    print(o, `${red(o, `✗ unsafe: ${result.findings.length} finding${result.findings.length > 1 ? 's' : ''}`)}  ${file}`);
    print(o, table([['kind', 'what', 'offset', 'why'], ...result.findings.map((f) => [f.kind, f.what, String(f.offset), f.why])], o));
    print(o, dim(o, 'hint: do not load this file with pickle/joblib. Re-export the model from a trusted training run.'));
  } else if (unsupported.length) {
    print(o, `${yellow(o, `! not supported yet: ${unsupported.length} step${unsupported.length > 1 ? 's' : ''} ramp cannot run`)}  ${file}`);
    print(o, dim(o, `  safe to load: ${describeFormat(format)}; ${result.globals.length} globals, all on the allow-list`));
    for (const n of unsupported) print(o, `  ${n.path}\n    ${dim(o, adviceFor(n.cls))}`);
  } else {
    print(o, `${green(o, '✓ safe to load')}  ${file}`);
    print(o, dim(o, `  ${describeFormat(format)}; ${result.globals.length} globals, all on the allow-list; no code-running opcodes`));
  }
  return !safe ? EXIT.UNSAFE : unsupported.length ? EXIT.UNSUPPORTED : EXIT.OK;
}

function formatJson(f: FileFormat): Record<string, unknown> {
  return { container: f.container, compression: f.compression, protocol: f.protocol, file_bytes: f.fileBytes, stream_bytes: f.streamBytes, description: describeFormat(f) };
}

export function cmdInspect(p: Parsed, o: Out): number {
  const file = onePositional(p, 'model file');
  const limits = limitsOf(p);
  const buf = readFileLimited(o.fs, file, { ...DEFAULT_LIMITS, ...limits });
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
    printJson(o, {
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
  print(o, summary(pairs, o));
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
    printJson(o, { file, bundle: true, keys: keys.map((k) => ({ key: k, type: describe(get(k)) })) });
  } else {
    print(o, summary([['Model', file], ['Bundle', `a ${value instanceof Map ? 'dict' : 'tuple'} with ${keys.length} keys`], ...keys.map((k): [string, string] => [`  ${k}`, describe(get(k))])], o));
    const estimators = keys.filter((k) => get(k) instanceof PyObject);
    if (estimators.length > 1) print(o, dim(o, `hint: it holds ${estimators.length} estimators; ramp serves one. Pick it with --key NAME; if they are the steps of one model, save them as one Pipeline.`));
    else print(o, dim(o, 'hint: no estimator in it; save the fitted model itself (joblib.dump(model, "model.joblib")).'));
  }
  return EXIT.OK;
}
