// A model's interface as a client sees it (`ramp contract export`), and what changed between the
// one a client was built for and the one a model serves now (`ramp contract check`).
// Both sides come from the V2 metadata (`modelMetadata` for a file, GET /v2/models/NAME for a URL),
// so a file and the server that serves it give the same contract.

export const CONTRACT_FORMAT = 'ramp.model-contract/v1';

export interface ContractColumn {
  name: string;
  datatype: string;
  shape: number[];
  /** Whether a missing value is accepted: probed from a model file; null when unknown (a URL). */
  nullable: boolean | null;
  categories?: string[];
}

export interface ContractTensor {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelContract {
  format: string;
  name: string;
  version: string | null;
  platform: string | null;
  estimator: string | null;
  sklearn_version: string | null;
  /** `columns`: one tensor per column (a model with text columns); `matrix`: one [N, F] tensor. */
  layout: 'columns' | 'matrix';
  inputs: ContractColumn[];
  tensors: ContractTensor[];
  outputs: ContractTensor[];
  classes: Array<string | number> | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function tensorsOf(v: unknown, what: string): ContractTensor[] {
  if (!Array.isArray(v)) throw new Error(`the metadata has no "${what}" list`);
  return v.map((t, i) => {
    if (!isObj(t) || typeof t.name !== 'string' || typeof t.datatype !== 'string' || !Array.isArray(t.shape)) throw new Error(`${what}[${i}] is not {name, datatype, shape}`);
    return { name: t.name, datatype: t.datatype, shape: t.shape.map(Number) };
  });
}

/** Columns from parameters.columns (ramp), else one per tensor, or per position of an [N, F] tensor. */
function columnsOf(params: Obj, tensors: ContractTensor[], nullable: Array<boolean | null>): ContractColumn[] {
  const cols = Array.isArray(params.columns) ? params.columns.filter(isObj) : null;
  if (cols && cols.length) {
    return cols.map((c, j) => ({
      name: String(c.name), datatype: String(c.datatype ?? 'FP64'), shape: [-1], nullable: nullable[j] ?? null,
      ...(Array.isArray(c.categories) ? { categories: c.categories.map(String) } : {}),
    }));
  }
  return tensors.flatMap((t) => {
    const f = t.shape.length === 2 && t.shape[1]! > 0 ? t.shape[1]! : 0;
    if (!f) return [{ name: t.name, datatype: t.datatype, shape: [-1], nullable: null }];
    return Array.from({ length: f }, (_, i) => ({ name: `${t.name}[${i}]`, datatype: t.datatype, shape: [-1], nullable: null }));
  });
}

/** The contract from a model's V2 metadata; `nullable` per column when probed from the model. */
export function contractFromMetadata(meta: unknown, nullable: Array<boolean | null> = []): ModelContract {
  if (!isObj(meta) || typeof meta.name !== 'string') throw new Error('not V2 model metadata (no "name")');
  const params = isObj(meta.parameters) ? meta.parameters : {};
  const tensors = tensorsOf(meta.inputs, 'inputs');
  const versions = Array.isArray(meta.versions) ? meta.versions.map(String) : [];
  const outputs = tensorsOf(meta.outputs, 'outputs');
  // Integer labels travel as strings in the metadata's parameters; the predict output says they are ints.
  const intLabels = /^U?INT/.test(outputs.find((t) => t.name === 'predict')?.datatype ?? '');
  const classes = Array.isArray(params.classes) ? params.classes.map((c) => (typeof c === 'number' ? c : intLabels && /^-?\d+$/.test(String(c)) ? Number(c) : String(c))) : null;
  return {
    format: CONTRACT_FORMAT,
    name: meta.name,
    version: versions.length ? versions[versions.length - 1]! : null,
    platform: str(meta.platform),
    estimator: str(params.estimator),
    sklearn_version: str(params.sklearn_version),
    layout: tensors.length === 1 && tensors[0]!.shape.length === 2 ? 'matrix' : 'columns',
    inputs: columnsOf(params, tensors, nullable),
    tensors,
    outputs,
    classes,
  };
}

/** Reads a contract file's JSON, checking the fields a check needs. */
export function parseContract(v: unknown): ModelContract {
  if (!isObj(v) || v.format !== CONTRACT_FORMAT) throw new Error(`not a model contract (its "format" is not "${CONTRACT_FORMAT}")`);
  for (const k of ['inputs', 'tensors', 'outputs']) if (!Array.isArray(v[k])) throw new Error(`"${k}" is not a list`);
  if (typeof v.name !== 'string') throw new Error('"name" is missing');
  return v as unknown as ModelContract;
}

export interface Change {
  /** e.g. column_removed, datatype_changed, class_added, output_removed. */
  kind: string;
  /** What a person reads. */
  message: string;
}

export interface ContractDiff {
  breaking: Change[];
  compatible: Change[];
}

const list = (xs: readonly unknown[]): string => xs.map((x) => JSON.stringify(x)).join(', ');

/** Columns: removed, renamed, added (optional or not), datatype, missing values, categories, order. */
function diffInputs(exp: ModelContract, act: ModelContract, d: ContractDiff): void {
  const b = (kind: string, message: string): void => void d.breaking.push({ kind, message });
  const c = (kind: string, message: string): void => void d.compatible.push({ kind, message });
  if (exp.layout !== act.layout) b('layout_changed', `inputs were ${exp.layout === 'matrix' ? 'one [N, F] tensor' : 'one tensor per column'}, now ${act.layout === 'matrix' ? 'one [N, F] tensor' : 'one tensor per column'}`);
  const actNames = new Set(act.inputs.map((x) => x.name));
  const expNames = new Set(exp.inputs.map((x) => x.name));
  const removed = exp.inputs.filter((x) => !actNames.has(x.name));
  const added = act.inputs.filter((x) => !expNames.has(x.name));
  for (const r of removed) {
    // The same position and datatype under a new name reads as a rename.
    const at = act.inputs[exp.inputs.indexOf(r)];
    const ren = at && added.includes(at) && at.datatype === r.datatype ? at : null;
    if (ren) {
      added.splice(added.indexOf(ren), 1);
      b('column_renamed', `input column "${r.name}" was renamed to "${ren.name}"`);
    } else b('column_removed', `input column "${r.name}" was removed`);
  }
  for (const a of added) {
    if (a.nullable === true && act.layout === 'columns') c('column_added_optional', `new optional input column "${a.name}" (${a.datatype}; a missing value is accepted)`);
    else b('column_added_required', `new input column "${a.name}" (${a.datatype}) ${a.nullable === false ? 'is required' : 'may be required (the metadata does not say; export from the model file to know)'}`);
  }
  for (const e of exp.inputs) {
    const a = act.inputs.find((x) => x.name === e.name);
    if (!a) continue;
    if (a.datatype !== e.datatype) b('datatype_changed', `input column "${e.name}" was ${e.datatype}, now ${a.datatype}`);
    if (e.nullable === true && a.nullable === false) b('nullable_removed', `input column "${e.name}" no longer accepts a missing value`);
    if (e.nullable === false && a.nullable === true) c('nullable_added', `input column "${e.name}" now accepts a missing value`);
    const gone = (e.categories ?? []).filter((x) => a.categories && !a.categories.includes(x));
    const fresh = (a.categories ?? []).filter((x) => e.categories && !e.categories.includes(x));
    if (gone.length) b('categories_removed', `input column "${e.name}" no longer knows ${list(gone)}`);
    if (fresh.length) c('categories_added', `input column "${e.name}" now also knows ${list(fresh)}`);
  }
  if (exp.layout === 'matrix' && act.layout === 'matrix') {
    const common = exp.inputs.filter((x) => actNames.has(x.name)).map((x) => x.name);
    const now = act.inputs.filter((x) => expNames.has(x.name)).map((x) => x.name);
    if (common.join('\0') !== now.join('\0')) b('column_order_changed', `the columns of the [N, F] tensor are in another order: ${list(now)}`);
  }
}

/** Outputs: removed or retyped (breaking), added (compatible). */
function diffOutputs(exp: ModelContract, act: ModelContract, d: ContractDiff, classesSame: boolean): void {
  for (const e of exp.outputs) {
    const a = act.outputs.find((x) => x.name === e.name);
    if (!a) d.breaking.push({ kind: 'output_removed', message: `output "${e.name}" was removed` });
    else if (a.datatype !== e.datatype) d.breaking.push({ kind: 'output_datatype_changed', message: `output "${e.name}" was ${e.datatype}, now ${a.datatype}` });
    else if (classesSame && JSON.stringify(a.shape) !== JSON.stringify(e.shape)) d.breaking.push({ kind: 'output_shape_changed', message: `output "${e.name}" had shape ${JSON.stringify(e.shape)}, now ${JSON.stringify(a.shape)}` });
  }
  for (const a of act.outputs) if (!exp.outputs.some((x) => x.name === a.name)) d.compatible.push({ kind: 'output_added', message: `new output "${a.name}" (${a.datatype})` });
}

/** Classes: each one added or removed, or the same ones in another order (a proba index moves). */
function diffClasses(exp: ModelContract, act: ModelContract, d: ContractDiff): boolean {
  const e = exp.classes;
  const a = act.classes;
  if (e === null && a === null) return true;
  if (e === null || a === null) {
    d.breaking.push({ kind: 'task_changed', message: e === null ? `the model now has classes (${list(a!)}); it was not a classifier` : 'the model has no classes any more; it is no longer a classifier' });
    return false;
  }
  const key = (x: string | number): string => String(x);
  const as = new Set(a.map(key));
  const es = new Set(e.map(key));
  for (const x of a) if (!es.has(key(x))) d.breaking.push({ kind: 'class_added', message: `class ${JSON.stringify(x)} was added (classes now ${list(a)})` });
  for (const x of e) if (!as.has(key(x))) d.breaking.push({ kind: 'class_removed', message: `class ${JSON.stringify(x)} was removed (classes now ${list(a)})` });
  const same = e.length === a.length && e.every((x) => as.has(key(x)));
  if (same && e.map(key).join('\0') !== a.map(key).join('\0')) d.breaking.push({ kind: 'class_order_changed', message: `the classes are in another order: ${list(a)} (predict_proba columns follow it)` });
  return same && e.map(key).join('\0') === a.map(key).join('\0');
}

/** Every difference between the contract a client was built for and the model now served. */
export function diffContracts(exp: ModelContract, act: ModelContract): ContractDiff {
  const d: ContractDiff = { breaking: [], compatible: [] };
  if (exp.name !== act.name) d.breaking.push({ kind: 'name_changed', message: `the model is now named "${act.name}", not "${exp.name}" (its URL changes)` });
  diffInputs(exp, act, d);
  const classesSame = diffClasses(exp, act, d);
  diffOutputs(exp, act, d, classesSame);
  const info = (kind: string, what: string, x: string | null, y: string | null): void => {
    if (x !== y) d.compatible.push({ kind, message: `${what}: ${x ?? 'not recorded'} → ${y ?? 'not recorded'}` });
  };
  info('version_changed', 'version', exp.version, act.version);
  info('estimator_changed', 'estimator', exp.estimator, act.estimator);
  info('sklearn_version_changed', 'scikit-learn version', exp.sklearn_version, act.sklearn_version);
  return d;
}
