// A data contract in the Open Data Contract Standard's shape (ODCS v3): reading it, and
// `ramp contract lint`, which checks the contract itself. The subset ramp enforces:
//   schema[0].properties[]: name, logicalType, required, unique, primaryKey,
//     logicalTypeOptions { minimum, maximum, pattern, minLength, maxLength },
//     quality: [{ metric: invalidValues, arguments: { validValues: [...] }, mustBe: 0 }]
//   schema[0].quality: [{ metric: rowCount, mustBeGreaterThanOrEqualTo: N }]
//   slaProperties: [{ property: freshness, value: N, unit: d|h, element: <table>.<column> }]
import type { RampFs } from '../host.ts';
import { malformed, readYamlFile } from '../data-files.ts';

export const LOGICAL_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export interface Column {
  name: string;
  type: LogicalType;
  required: boolean;
  unique: boolean;
  primaryKey: boolean;
  minimum?: number | string;
  maximum?: number | string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  validValues?: Array<string | number | boolean>;
  description?: string;
}

export interface Contract {
  id: string;
  version: string;
  status: string;
  table: string;
  columns: Column[];
  rowCountMin?: number;
  freshness?: { column: string; hours: number; text: string };
}

/** A problem in a contract file: the field, what is wrong and how to fix it. */
export interface LintIssue {
  field: string;
  message: string;
  fix: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$/;
const COLUMN_KEYS = new Set(['name', 'logicalType', 'physicalType', 'required', 'unique', 'primaryKey', 'primaryKeyPosition', 'logicalTypeOptions', 'quality', 'description', 'businessName', 'examples', 'classification', 'tags', 'customProperties']);
const OPTION_KEYS = new Set(['minimum', 'maximum', 'pattern', 'minLength', 'maxLength', 'format']);

/** Reads the contract's header fields; issues go to `issues`. */
function headerOf(raw: Obj, issues: LintIssue[]): Pick<Contract, 'id' | 'version' | 'status'> {
  const add = (field: string, message: string, fix: string): void => void issues.push({ field, message, fix });
  if (typeof raw.apiVersion !== 'string' || !/^v3\.\d+\.\d+$/.test(raw.apiVersion)) add('apiVersion', `is ${JSON.stringify(raw.apiVersion)}; ramp reads ODCS v3 contracts`, 'Set `apiVersion: v3.1.0`.');
  if (raw.kind !== 'DataContract') add('kind', `is ${JSON.stringify(raw.kind)}`, 'Set `kind: DataContract`.');
  if (typeof raw.id !== 'string' || !raw.id) add('id', 'is missing', 'Give the contract a stable id, e.g. the dataset\'s name.');
  const version = typeof raw.version === 'number' ? String(raw.version) : raw.version;
  if (typeof version !== 'string' || !SEMVER.test(version)) add('version', `is ${JSON.stringify(raw.version)}; contracts use semantic versions`, 'Write it as a quoted string, e.g. `version: "1.0.0"`.');
  if (typeof raw.status !== 'string' || !raw.status) add('status', 'is missing', 'Set `status: active` (or draft, deprecated, retired).');
  return { id: String(raw.id ?? ''), version: String(version ?? ''), status: String(raw.status ?? '') };
}

function validValuesOf(q: unknown, at: string, add: (f: string, m: string, x: string) => void): Column['validValues'] {
  if (!Array.isArray(q)) {
    if (q !== undefined) add(at, 'must be a list of quality rules', 'Write `quality: [{ metric: invalidValues, arguments: { validValues: [...] }, mustBe: 0 }]`.');
    return undefined;
  }
  let out: Column['validValues'];
  q.forEach((rule, i) => {
    if (!isObj(rule)) return add(`${at}.${i}`, 'must be a mapping', 'See the pipeline template\'s contract.yaml.');
    if (rule.type !== undefined && rule.type !== 'library') return; // sql and text rules are for other tools
    if (rule.metric !== 'invalidValues') return add(`${at}.${i}.metric`, `${JSON.stringify(rule.metric)} is not a column rule ramp runs`, 'Use `metric: invalidValues` with `arguments.validValues`; say "required" and "unique" with the column\'s own fields.');
    const vv = isObj(rule.arguments) ? rule.arguments.validValues : undefined;
    if (!Array.isArray(vv) || vv.length === 0 || !vv.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return add(`${at}.${i}.arguments.validValues`, 'must be a non-empty list of values', 'List the allowed values, e.g. `validValues: [placed, shipped]`.');
    if (rule.mustBe !== 0) add(`${at}.${i}.mustBe`, `is ${JSON.stringify(rule.mustBe)}; ramp enforces "no invalid values"`, 'Set `mustBe: 0`.');
    out = vv as Column['validValues'];
  });
  return out;
}

function columnOf(p: unknown, at: string, issues: LintIssue[]): Column | null {
  const add = (field: string, message: string, fix: string): void => void issues.push({ field, message, fix });
  if (!isObj(p)) return add(at, 'must be a mapping with name and logicalType', 'See the pipeline template\'s contract.yaml.'), null;
  for (const k of Object.keys(p)) if (!COLUMN_KEYS.has(k)) add(`${at}.${k}`, 'is not a column field of ODCS v3', `Remove it, or move it under customProperties. Fields: ${[...COLUMN_KEYS].join(', ')}.`);
  const name = typeof p.name === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name) ? p.name : null;
  if (!name) add(`${at}.name`, `is ${JSON.stringify(p.name)}`, 'Name the column as it appears in the data: letters, digits, _.');
  const type = LOGICAL_TYPES.includes(p.logicalType as LogicalType) ? (p.logicalType as LogicalType) : null;
  if (!type) add(`${at}.logicalType`, `is ${JSON.stringify(p.logicalType)}`, `Use one of ${LOGICAL_TYPES.join(', ')}.`);
  for (const k of ['required', 'unique', 'primaryKey'] as const) if (p[k] !== undefined && typeof p[k] !== 'boolean') add(`${at}.${k}`, 'must be true or false', `Write \`${k}: true\` or leave it out.`);
  const opts = isObj(p.logicalTypeOptions) ? p.logicalTypeOptions : {};
  for (const k of Object.keys(opts)) if (!OPTION_KEYS.has(k)) add(`${at}.logicalTypeOptions.${k}`, 'is not an option ramp knows', `Options: ${[...OPTION_KEYS].join(', ')}.`);
  const col: Column = { name: name ?? '?', type: type ?? 'string', required: p.required === true || p.primaryKey === true, unique: p.unique === true || p.primaryKey === true, primaryKey: p.primaryKey === true, description: typeof p.description === 'string' ? p.description : undefined };
  boundsOf(col, opts, `${at}.logicalTypeOptions`, add);
  col.validValues = validValuesOf(p.quality, `${at}.quality`, add);
  return name && type ? col : null;
}

function boundsOf(col: Column, opts: Obj, at: string, add: (f: string, m: string, x: string) => void): void {
  const ordered = col.type === 'date' || col.type === 'timestamp';
  for (const k of ['minimum', 'maximum'] as const) {
    const v = opts[k];
    if (v === undefined) continue;
    const ok = ordered ? typeof v === 'string' && !Number.isNaN(Date.parse(v)) : typeof v === 'number' && (col.type === 'integer' || col.type === 'number');
    if (!ok) add(`${at}.${k}`, `${JSON.stringify(v)} does not fit a ${col.type} column`, ordered ? 'Write a date, e.g. "2024-01-01".' : 'Only integer and number columns take a numeric minimum or maximum.');
    else col[k] = v as number | string;
  }
  if (col.minimum !== undefined && col.maximum !== undefined && col.minimum > col.maximum) add(`${at}.minimum`, `${col.minimum} is above the maximum ${col.maximum}`, 'Swap them.');
  if (opts.pattern !== undefined) {
    try {
      new RegExp(String(opts.pattern), 'u');
      col.pattern = String(opts.pattern);
    } catch {
      add(`${at}.pattern`, 'is not a valid regular expression', 'Fix the pattern (JavaScript syntax, anchored with ^ and $).');
    }
  }
  for (const k of ['minLength', 'maxLength'] as const) {
    if (opts[k] === undefined) continue;
    if (Number.isInteger(opts[k]) && (opts[k] as number) >= 0) col[k] = opts[k] as number;
    else add(`${at}.${k}`, 'must be a whole number', 'e.g. `maxLength: 64`.');
  }
}

function tableOf(raw: Obj, issues: LintIssue[]): Pick<Contract, 'table' | 'columns' | 'rowCountMin'> {
  const add = (field: string, message: string, fix: string): void => void issues.push({ field, message, fix });
  const schema = raw.schema;
  if (!Array.isArray(schema) || schema.length !== 1 || !isObj(schema[0])) {
    add('schema', 'must list exactly one table (a contract per dataset)', 'Write `schema: [{ name: <table>, logicalType: object, properties: [...] }]`.');
    return { table: '', columns: [] };
  }
  const t = schema[0];
  const table = typeof t.name === 'string' ? t.name : '';
  if (!table) add('schema.0.name', 'is missing', 'Name the table (the output\'s name).');
  const props = Array.isArray(t.properties) ? t.properties : [];
  if (props.length === 0) add('schema.0.properties', 'lists no columns', 'List each column with its name and logicalType.');
  const columns: Column[] = [];
  const seen = new Set<string>();
  props.forEach((p, i) => {
    const c = columnOf(p, `schema.0.properties.${i}`, issues);
    if (!c) return;
    if (seen.has(c.name)) add(`schema.0.properties.${i}.name`, `"${c.name}" is listed twice`, 'Keep one entry per column.');
    seen.add(c.name);
    columns.push(c);
  });
  let rowCountMin: number | undefined;
  if (Array.isArray(t.quality)) {
    t.quality.forEach((q, i) => {
      if (!isObj(q) || (q.type !== undefined && q.type !== 'library')) return;
      const n = q.mustBeGreaterThanOrEqualTo ?? (typeof q.mustBeGreaterThan === 'number' ? q.mustBeGreaterThan + 1 : undefined);
      if (q.metric === 'rowCount' && Number.isInteger(n) && (n as number) >= 0) rowCountMin = n as number;
      else add(`schema.0.quality.${i}`, 'is not a table rule ramp runs', 'Use `{ metric: rowCount, mustBeGreaterThanOrEqualTo: N }`.');
    });
  }
  return { table, columns, rowCountMin };
}

function freshnessOf(raw: Obj, table: string, columns: Column[], issues: LintIssue[]): Contract['freshness'] {
  if (raw.slaProperties === undefined) return undefined;
  if (!Array.isArray(raw.slaProperties)) return void issues.push({ field: 'slaProperties', message: 'must be a list', fix: 'Write `slaProperties: [{ property: freshness, value: 1, unit: d, element: <table>.<column> }]`.' });
  let out: Contract['freshness'];
  raw.slaProperties.forEach((s, i) => {
    if (!isObj(s) || s.property !== 'freshness') return;
    const at = `slaProperties.${i}`;
    const unit = s.unit === 'd' || s.unit === 'day' || s.unit === 'days' ? 24 : s.unit === 'h' || s.unit === 'hour' || s.unit === 'hours' ? 1 : 0;
    const element = typeof s.element === 'string' ? s.element : '';
    const colName = element.startsWith(`${table}.`) ? element.slice(table.length + 1) : element;
    const col = columns.find((c) => c.name === colName);
    if (typeof s.value !== 'number' || s.value <= 0 || !unit) return void issues.push({ field: at, message: 'needs a positive value and a unit (d or h)', fix: 'e.g. `value: 1, unit: d`.' });
    if (!col || (col.type !== 'date' && col.type !== 'timestamp')) return void issues.push({ field: `${at}.element`, message: `"${element}" is not a date or timestamp column of ${table}`, fix: `Point it at the column that dates each row, e.g. ${table}.<date column>.` });
    out = { column: col.name, hours: s.value * unit, text: `${s.value} ${unit === 24 ? 'd' : 'h'}` };
  });
  return out;
}

/** Reads and lints a contract: the contract (when usable) and every issue found. */
export function lintContract(raw: unknown): { contract: Contract | null; issues: LintIssue[] } {
  const issues: LintIssue[] = [];
  if (!isObj(raw)) return { contract: null, issues: [{ field: '(root)', message: 'is not a mapping', fix: 'A contract is a YAML mapping: apiVersion, kind, id, version, status, schema.' }] };
  const header = headerOf(raw, issues);
  const t = tableOf(raw, issues);
  const freshness = freshnessOf(raw, t.table, t.columns, issues);
  if (t.columns.length && !t.columns.some((c) => c.primaryKey || c.unique)) issues.push({ field: 'schema.0.properties', message: 'no column is unique or a primary key', fix: 'Mark the key: `primaryKey: true` on the column(s) that identify a row, so re-runs can be checked for duplicates.' });
  return { contract: issues.length ? null : { ...header, ...t, freshness }, issues };
}

/** Loads a contract for testing; an invalid one stops with every issue (exit 4). */
export function loadContract(fs: RampFs, file: string): Contract {
  const { contract, issues } = lintContract(readYamlFile(fs, file));
  if (!contract) throw malformed(`${file} is not a valid contract:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`, `Run \`ramp contract lint ${file}\` for how to fix each one.`);
  return contract;
}
