// Parsing prediction inputs: {"instances": ...}, V2 inference requests, CSV.
import { InputError } from './errors.ts';
import type { Label, LabelType, Model } from './estimators/index.ts';

export const V2_NUMERIC = new Set(['FP64', 'FP32', 'FP16', 'INT64', 'INT32', 'INT16', 'INT8', 'UINT64', 'UINT32', 'UINT16', 'UINT8']);

export interface Rows {
  /** Row-major, n × nFeatures. */
  data: Float64Array;
  n: number;
}

export function rowsOf(r: Rows, f: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < r.n; i++) out.push(r.data.subarray(i * f, (i + 1) * f));
  return out;
}

function toNumber(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (v === null) return NaN; // missing: reported, with its place, by requireFinite
  throw new InputError(`${where} is ${typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : typeof v}, expected a number`, 'Send numbers only.');
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
const TREE_MODELS = /Tree|Forest|GradientBoosting/;

/**
 * Every feature must be a finite number: scikit-learn refuses NaN and infinity ("Input X contains
 * NaN"), and for trees also values too large for float32. Names the first offending row and feature.
 */
export function requireFinite(rows: Rows, model: Model): Rows {
  const f = model.nFeatures;
  const trees = model.steps.some((s) => TREE_MODELS.test(s.estimator)) || TREE_MODELS.test(model.estimator);
  for (let k = 0; k < rows.data.length; k++) {
    const v = rows.data[k]!;
    const bad = Number.isNaN(v) ? 'missing (null, empty or NaN)' : !Number.isFinite(v) ? 'infinite' : trees && Math.abs(v) > FLOAT32_MAX ? 'too large for float32' : null;
    if (!bad) continue;
    const j = k % f;
    const name = model.featureNames ? `"${model.featureNames[j]}"` : `feature ${j}`;
    const hint = Number.isNaN(v) ? 'Impute missing values before calling the model, as your training pipeline did.' : 'Send values in the range the model was trained on (clip or rescale outliers).';
    throw new InputError(`row ${Math.floor(k / f)}, ${name} is ${bad}; ${model.estimator} needs a finite number for every feature`, hint);
  }
  return rows;
}

/** Rows from instances: [[...], ...], or [{feature: value}, ...] when the model has feature names. */
export function parseInstances(instances: unknown, model: Model): Rows {
  const f = model.nFeatures;
  if (!Array.isArray(instances)) throw new InputError('"instances" must be a list of rows', 'Example: {"instances": [[1.0, 2.0, ...]]}');
  if (instances.length === 0) throw new InputError('"instances" is empty', 'Send at least one row.');
  // a single flat row
  const list = typeof instances[0] === 'number' ? [instances] : instances;
  const data = new Float64Array(list.length * f);
  list.forEach((row, i) => {
    if (Array.isArray(row)) {
      if (row.length !== f) throw new InputError(`row ${i} has ${row.length} features, the model expects ${f}`);
      for (let j = 0; j < f; j++) data[i * f + j] = toNumber(row[j], `row ${i}, feature ${j}`);
    } else if (row && typeof row === 'object') {
      const names = model.featureNames;
      if (!names) throw new InputError(`row ${i} is an object, but the model has no feature names`, 'Send rows as lists of numbers in training column order.');
      const obj = row as Record<string, unknown>;
      names.forEach((nm, j) => {
        if (!(nm in obj)) throw new InputError(`row ${i} is missing feature "${nm}"`, `Expected features: ${names.join(', ')}.`);
        data[i * f + j] = toNumber(obj[nm], `row ${i}, "${nm}"`);
      });
    } else {
      throw new InputError(`row ${i} is not a list of numbers`);
    }
  });
  return requireFinite({ data, n: list.length }, model);
}

export interface V2Request {
  rows: Rows;
  id: string | undefined;
  outputs: string[] | null;
}

/** Validate an Open Inference Protocol (V2) request against the model. */
export function parseV2(body: unknown, model: Model): V2Request {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError('request body must be a JSON object with "inputs"', 'See GET /v2/models/<name> for the expected input tensor.');
  const b = body as Record<string, unknown>;
  const inputs = b.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new InputError('"inputs" must be a non-empty list of tensors');
  if (inputs.length !== 1) throw new InputError(`expected exactly one input tensor, got ${inputs.length}`, `Send one tensor of shape [N, ${model.nFeatures}].`);
  const t = inputs[0] as Record<string, unknown>;
  if (!t || typeof t !== 'object') throw new InputError('input tensor must be an object');
  const f = model.nFeatures;
  const dt = t.datatype;
  if (typeof dt !== 'string' || !V2_NUMERIC.has(dt)) {
    throw new InputError(`unsupported datatype ${JSON.stringify(dt)}`, 'Use FP64, FP32, INT64 or INT32.');
  }
  const shape = t.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new InputError('"shape" must be a list of non-negative integers');
  let n: number;
  if (shape.length === 2) {
    if (shape[1] !== f) throw new InputError(`shape [${shape.join(', ')}] has ${shape[1]} features, the model expects ${f}`);
    n = shape[0] as number;
  } else if (shape.length === 1 && f === 1) {
    n = shape[0] as number;
  } else {
    throw new InputError(`shape [${shape.join(', ')}] is not [N, ${f}]`);
  }
  if (n === 0) throw new InputError('shape has zero rows');
  if (n > 1_000_000) throw new InputError('too many rows in one request');
  const raw = t.data;
  if (!Array.isArray(raw)) throw new InputError('"data" must be a list');
  const data = new Float64Array(n * f);
  let k = 0;
  const isInt = dt[0] === 'I' || dt[0] === 'U';
  const fp32 = dt === 'FP32' || dt === 'FP16';
  const put = (v: unknown): void => {
    if (typeof v !== 'number') throw new InputError(`data element ${k} is ${v === null ? 'null' : typeof v}, expected a number (datatype ${dt})`);
    if (isInt && !Number.isInteger(v)) throw new InputError(`data element ${k} is ${v}, not an integer (datatype ${dt})`, 'Use datatype FP64 for non-integer features.');
    const range = INT_RANGES[dt];
    if (range && (v < range[0] || v > range[1])) throw new InputError(`data element ${k} is ${v}, outside the range of ${dt} (${range[0]} to ${range[1]})`, 'Use a wider datatype, or FP64.');
    if (k >= data.length) { k++; return; }
    data[k++] = fp32 ? Math.fround(v) : v;
  };
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (Array.isArray(v)) for (let j = 0; j < v.length; j++) put(v[j]);
    else put(v);
    if (k > data.length) break;
  }
  if (k !== data.length) throw new InputError(`data has ${k > data.length ? 'more than ' + data.length : k} elements but shape [${shape.join(', ')}] needs ${data.length}`);
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
  return { rows: requireFinite({ data, n }, model), id: id as string | undefined, outputs };
}

// ---------------------------------------------------------------------------
// CSV

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"') {
        if (line[i + 1] === '"') { cur += '"'; i++; } else q = false;
      } else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

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
  const data = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    const cells = splitCsvLine(lines[i + 1]!);
    if (cells.length !== header.length) throw new InputError(`CSV line ${i + 2} has ${cells.length} cells, the header has ${header.length}`);
    for (let j = 0; j < f; j++) {
      const s = cells[map[j]!]!;
      // Decimal numbers only: Number() would also take "0x10", "Infinity" and "1_000"-like oddities.
      if (s !== '' && !/^nan$/i.test(s) && !DECIMAL.test(s)) throw new InputError(`CSV line ${i + 2}, column "${header[map[j]!]}" is not a number: ${JSON.stringify(s.slice(0, 20))}`);
      data[i * f + j] = s === '' || /^nan$/i.test(s) ? NaN : Number(s);
    }
  }
  return requireFinite({ data, n }, model);
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
