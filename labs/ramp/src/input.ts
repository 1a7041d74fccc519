// Parsing prediction inputs: {"instances": ...}, V2 inference requests, CSV.
import { CSV_MISSING, DECIMAL, splitCsvLine } from './csv.ts';
import { InputError } from './errors.ts';
import type { Cells, Label, LabelType, Model } from './estimators/index.ts';

export const V2_NUMERIC = new Set(['FP64', 'FP32', 'FP16', 'INT64', 'INT32', 'INT16', 'INT8', 'UINT64', 'UINT32', 'UINT16', 'UINT8']);

export interface Rows {
  /** Row-major, n × nFeatures; NaN where a value is missing or a column takes text. */
  data: Float64Array;
  /** Row-major like data, for models with text columns: the string, or null when missing. */
  text: Array<string | null> | null;
  n: number;
}

/** Row i as the cells a model takes (a view of the numbers when the model takes no text). */
export function rowAt(r: Rows, i: number, f: number): Cells {
  const x = r.data.subarray(i * f, (i + 1) * f);
  if (!r.text) return x;
  const cells: Array<number | string> = Array.from(x);
  for (let j = 0; j < f; j++) {
    const t = r.text[i * f + j];
    if (typeof t === 'string') cells[j] = t;
  }
  return cells;
}

export function rowsOf(r: Rows, f: number): Cells[] {
  return Array.from({ length: r.n }, (_, i) => rowAt(r, i, f));
}

/** Fills rows from per-cell values, checked against what each column takes. */
class RowWriter {
  readonly rows: Rows;
  private readonly model: Model;
  constructor(model: Model, n: number) {
    this.model = model;
    const text = model.inputs.some((c) => c.kind !== 'number');
    this.rows = { data: new Float64Array(n * model.nFeatures), text: text ? new Array(n * model.nFeatures).fill(null) : null, n };
  }
  /** A JSON value for row i, column j (null: missing). */
  put(i: number, j: number, v: unknown, where: string): void {
    const k = i * this.model.nFeatures + j;
    const col = this.model.inputs[j]!;
    if (v === null || v === undefined) {
      this.rows.data[k] = NaN;
      return;
    }
    if (typeof v === 'number' && col.kind !== 'string') {
      this.rows.data[k] = v;
      return;
    }
    if (typeof v === 'string' && col.kind !== 'number') {
      this.rows.data[k] = NaN;
      this.rows.text![k] = v;
      return;
    }
    const want = col.kind === 'string' ? 'text (a category)' : 'a number';
    const got = typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : typeof v === 'number' ? `the number ${v}` : typeof v;
    throw new InputError(`${where} is ${got}, expected ${want}`, col.kind === 'string' ? 'Send this column as a JSON string, as in training.' : 'Send numbers for numeric columns; null for a missing value.');
  }
  /** A CSV cell: numbers for numeric columns, text as it is for text columns, NA markers missing. */
  putText(i: number, j: number, s: string, where: string): void {
    if (CSV_MISSING.has(s)) return this.put(i, j, null, where);
    if (this.model.inputs[j]!.kind === 'string') return this.put(i, j, s, where);
    // Decimal numbers only: Number() would also take "0x10", "Infinity" and "1_000"-like oddities.
    if (!DECIMAL.test(s)) throw new InputError(`${where} is not a number: ${JSON.stringify(s.slice(0, 20))}`);
    this.put(i, j, Number(s), where);
  }
}


/** Value ranges of the V2 integer datatypes (the wider ones are bounded by exact doubles). */
const INT_RANGES: Record<string, [number, number]> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** Largest float32: tree models compare features as float32, as scikit-learn does. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** Models that compare features as float32 (HistGradientBoosting works in float64). */
const TREE_MODELS = /Tree|Forest|^GradientBoosting|^XGB/;

/**
 * No infinities (scikit-learn refuses them: "Input X contains infinity"), and for trees no value too
 * large for float32. Missing values (NaN) pass: the model decides, as sklearn's pipeline would
 * (imputed, encoded, routed down a tree, or refused naming the row and column).
 */
export function requireFinite(rows: Rows, model: Model): Rows {
  const f = model.nFeatures;
  const trees = model.steps.some((s) => TREE_MODELS.test(s.estimator)) || TREE_MODELS.test(model.estimator);
  for (let k = 0; k < rows.data.length; k++) {
    const v = rows.data[k]!;
    if (v !== v) continue;
    const bad = !Number.isFinite(v) ? 'infinite' : trees && Math.abs(v) > FLOAT32_MAX ? 'too large for float32' : null;
    if (!bad) continue;
    const j = k % f;
    const name = model.featureNames ? `"${model.featureNames[j]}"` : `feature ${j}`;
    throw new InputError(`row ${Math.floor(k / f)}, ${name} is ${bad}; ${model.estimator} needs a finite number for every feature`, 'Send values in the range the model was trained on (clip or rescale outliers).');
  }
  return rows;
}

/** Rows from instances: [[...], ...], or [{feature: value}, ...] when the model has feature names. */
export function parseInstances(instances: unknown, model: Model): Rows {
  const f = model.nFeatures;
  if (!Array.isArray(instances)) throw new InputError('"instances" must be a list of rows', 'Example: {"instances": [[1.0, 2.0, ...]]}');
  if (instances.length === 0) throw new InputError('"instances" is empty', 'Send at least one row.');
  // a single flat row
  const list = typeof instances[0] !== 'object' || instances[0] === null ? [instances] : instances;
  const w = new RowWriter(model, list.length);
  list.forEach((row, i) => {
    if (Array.isArray(row)) {
      if (row.length !== f) throw new InputError(`row ${i} has ${row.length} features, the model expects ${f}`);
      for (let j = 0; j < f; j++) w.put(i, j, row[j], `row ${i}, ${model.featureNames ? `"${model.featureNames[j]}"` : `feature ${j}`}`);
    } else if (row && typeof row === 'object') {
      const names = model.featureNames;
      if (!names) throw new InputError(`row ${i} is an object, but the model has no feature names`, 'Send rows as lists of numbers in training column order.');
      const obj = row as Record<string, unknown>;
      names.forEach((nm, j) => {
        if (!(nm in obj)) throw new InputError(`row ${i} is missing feature "${nm}"`, `Expected features: ${names.join(', ')} (null for a missing value).`);
        w.put(i, j, obj[nm], `row ${i}, "${nm}"`);
      });
    } else {
      throw new InputError(`row ${i} is not a list of values or an object keyed by feature name`);
    }
  });
  return requireFinite(w.rows, model);
}

export interface V2Request {
  rows: Rows;
  id: string | undefined;
  outputs: string[] | null;
}

/** Validate an Open Inference Protocol (V2) request against the model. */
export function parseV2(body: unknown, model: Model): V2Request {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError('request body must be a JSON object with "inputs"', 'See GET /v2/models/<name> for the expected input tensors.');
  const b = body as Record<string, unknown>;
  const inputs = b.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new InputError('"inputs" must be a non-empty list of tensors');
  for (const t of inputs) if (!t || typeof t !== 'object' || Array.isArray(t)) throw new InputError('each input tensor must be an object with "name", "shape", "datatype" and "data"');
  const tensors = inputs as Array<Record<string, unknown>>;
  const names = model.featureNames;
  // One tensor per column (MLServer's pandas codec), or a single [N, F] tensor.
  const perColumn = tensors.length > 1 || (names !== null && model.nFeatures > 1 && names.includes(tensors[0]!.name as string));
  const rows = perColumn ? columnTensors(tensors, model) : matrixTensor(tensors[0]!, model);
  let outputs: string[] | null = null;
  if (b.outputs !== undefined) {
    if (!Array.isArray(b.outputs)) throw new InputError('"outputs" must be a list');
    outputs = b.outputs.map((o) => {
      const nm = (o as Record<string, unknown>)?.name;
      if (typeof nm !== 'string') throw new InputError('each requested output needs a "name"');
      return nm;
    });
  }
  const id = b.id;
  if (id !== undefined && typeof id !== 'string') throw new InputError('"id" must be a string');
  return { rows: requireFinite(rows, model), id: id as string | undefined, outputs };
}

function shapeOf(t: Record<string, unknown>): number[] {
  const shape = t.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new InputError(`tensor ${JSON.stringify(t.name)}: "shape" must be a list of non-negative integers`);
  return shape as number[];
}

function checkRows(n: number): void {
  if (n === 0) throw new InputError('shape has zero rows');
  if (n > 1_000_000) throw new InputError('too many rows in one request');
}

/** A tensor's elements, flattened, each checked against its datatype; strings only for BYTES. */
function tensorValues(t: Record<string, unknown>, count: number): unknown[] {
  const dt = t.datatype;
  const what = `tensor ${JSON.stringify(t.name)}`;
  if (typeof dt !== 'string' || (dt !== 'BYTES' && !V2_NUMERIC.has(dt))) throw new InputError(`${what}: unsupported datatype ${JSON.stringify(dt)}`, 'Use FP64, FP32, INT64 or INT32 for numbers, BYTES for text.');
  const raw = t.data;
  if (!Array.isArray(raw)) throw new InputError(`${what}: "data" must be a list`);
  const flat = raw.length > 0 && Array.isArray(raw[0]) ? raw.flat() : raw;
  if (flat.length !== count) throw new InputError(`${what}: data has ${flat.length} elements but its shape [${shapeOf(t).join(', ')}] needs ${count}`);
  const isInt = dt[0] === 'I' || dt[0] === 'U';
  const fp32 = dt === 'FP32' || dt === 'FP16';
  const range = INT_RANGES[dt];
  return flat.map((v, k) => {
    if (v === null) return null;
    if (dt === 'BYTES') {
      if (typeof v !== 'string') throw new InputError(`${what}: element ${k} is ${typeof v}, expected a string (datatype BYTES)`);
      return v;
    }
    if (typeof v !== 'number') throw new InputError(`${what}: element ${k} is ${typeof v}, expected a number (datatype ${dt})`, typeof v === 'string' ? 'Send text columns as their own tensor with datatype BYTES.' : undefined);
    if (isInt && !Number.isInteger(v)) throw new InputError(`${what}: element ${k} is ${v}, not an integer (datatype ${dt})`, 'Use datatype FP64 for non-integer features.');
    if (range && (v < range[0] || v > range[1])) throw new InputError(`${what}: element ${k} is ${v}, outside the range of ${dt} (${range[0]} to ${range[1]})`, 'Use a wider datatype, or FP64.');
    return fp32 ? Math.fround(v) : v;
  });
}

function matrixTensor(t: Record<string, unknown>, model: Model): Rows {
  const f = model.nFeatures;
  const shape = shapeOf(t);
  let n: number;
  if (shape.length === 2) {
    if (shape[1] !== f) throw new InputError(`shape [${shape.join(', ')}] has ${shape[1]} features, the model expects ${f}`);
    n = shape[0]!;
  } else if (shape.length === 1 && f === 1) {
    n = shape[0]!;
  } else {
    throw new InputError(`shape [${shape.join(', ')}] is not [N, ${f}]`, model.featureNames ? `Or send one tensor per column, named ${model.featureNames.slice(0, 3).join(', ')}…` : undefined);
  }
  checkRows(n);
  if (t.datatype === 'BYTES' && !model.inputs.some((c) => c.kind !== 'number')) throw new InputError('unsupported datatype "BYTES": this model takes numbers only', 'Use FP64, FP32, INT64 or INT32.');
  const values = tensorValues(t, n * f);
  const w = new RowWriter(model, n);
  values.forEach((v, k) => w.put(Math.floor(k / f), k % f, v, `data element ${k}`));
  return w.rows;
}

function columnTensors(tensors: Array<Record<string, unknown>>, model: Model): Rows {
  const names = model.featureNames;
  if (!names) throw new InputError(`got ${tensors.length} input tensors, but the model has no column names`, `Send one tensor of shape [N, ${model.nFeatures}].`);
  const byName = new Map<string, Record<string, unknown>>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || !names.includes(t.name)) throw new InputError(`input tensor ${JSON.stringify(t.name)} is not a column of the model`, `Columns: ${names.join(', ')}.`);
    if (byName.has(t.name)) throw new InputError(`input tensor "${t.name}" appears twice`);
    byName.set(t.name, t);
  }
  const missing = names.filter((nm) => !byName.has(nm));
  if (missing.length) throw new InputError(`missing input tensor${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`, 'Send one tensor per column (null for a missing value).');
  let n = -1;
  for (const nm of names) {
    const shape = shapeOf(byName.get(nm)!);
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) throw new InputError(`tensor "${nm}": shape [${shape.join(', ')}] is not [N] or [N, 1]`);
    if (n >= 0 && shape[0] !== n) throw new InputError(`tensor "${nm}" has ${shape[0]} rows, the others ${n}`);
    n = shape[0]!;
  }
  checkRows(n);
  const w = new RowWriter(model, n);
  names.forEach((nm, j) => tensorValues(byName.get(nm)!, n).forEach((v, i) => w.put(i, j, v, `row ${i}, "${nm}"`)));
  return w.rows;
}

// ---------------------------------------------------------------------------
// CSV



export function parseCsv(text: string, model: Model): Rows {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new InputError('CSV input needs a header line and at least one row');
  const header = splitCsvLine(lines[0]!);
  const f = model.nFeatures;
  let map: number[];
  if (model.featureNames) {
    const names = model.featureNames;
    map = names.map((nm) => {
      const j = header.indexOf(nm);
      if (j < 0) throw new InputError(`CSV has no column "${nm}"`, `The model expects columns: ${names.join(', ')}.`);
      return j;
    });
  } else {
    if (header.length !== f) throw new InputError(`CSV has ${header.length} columns, the model expects ${f}`, 'Without feature names in the model, columns are matched by position.');
    map = header.map((_, j) => j);
  }
  const n = lines.length - 1;
  const w = new RowWriter(model, n);
  for (let i = 0; i < n; i++) {
    const cells = splitCsvLine(lines[i + 1]!);
    if (cells.length !== header.length) throw new InputError(`CSV line ${i + 2} has ${cells.length} cells, the header has ${header.length}`);
    for (let j = 0; j < f; j++) w.putText(i, j, cells[map[j]!]!, `CSV line ${i + 2}, column "${header[map[j]!]}"`);
  }
  return requireFinite(w.rows, model);
}

/** Parse an input file's text: JSON ({"instances"}, V2, or a bare list) or CSV. */
export function parseInputText(text: string, model: Model): Rows {
  const t = text.trimStart();
  if (t === '') throw new InputError('the input is empty', 'Send {"instances": [[...]]}, a V2 request, or CSV with a header.');
  if (t.startsWith('{') || t.startsWith('[')) {
    let body: unknown;
    try {
      body = JSON.parse(t);
    } catch (e) {
      throw new InputError(`input is not valid JSON: ${(e as Error).message}`, 'Send {"instances": [[...]]}, a V2 request, or CSV with a header.');
    }
    if (Array.isArray(body)) return parseInstances(body, model);
    const b = body as Record<string, unknown>;
    if ('instances' in b) return parseInstances(b.instances, model);
    if ('inputs' in b && Array.isArray(b.inputs) && b.inputs.length > 0 && typeof b.inputs[0] === 'object' && !Array.isArray(b.inputs[0])) return parseV2(b, model).rows;
    if ('inputs' in b) return parseInstances(b.inputs, model);
    throw new InputError('JSON input has neither "instances" nor "inputs"', 'Send {"instances": [[...]]} or a V2 request {"inputs": [{"name", "shape", "datatype", "data"}]}.');
  }
  return parseCsv(text, model);
}

// ---------------------------------------------------------------------------
// output helpers

export function v2Datatype(t: LabelType | null): string {
  switch (t) {
    case 'int': return 'INT64';
    case 'string': return 'BYTES';
    case 'bool': return 'BOOL';
    default: return 'FP64';
  }
}

/** JSON for a label (bigint -> bare integer, NaN -> null). */
export function jsonLabel(v: Label): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return JSON.stringify(v);
}
export function jsonNum(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}
