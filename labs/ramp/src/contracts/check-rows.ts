// Rules of a data contract applied to rows one at a time, in constant memory per row (only
// the unique keys seen so far are kept). Used by `ramp contract test` and by `ramp pipeline
// run` before a partition is published.
import type { Column, Contract } from './contract.ts';

export interface Example {
  row: number;
  column?: string;
  value: string;
}

export interface RuleResult {
  rule: string;
  column?: string;
  /** What the rule says, e.g. "one of placed, shipped". */
  expects: string;
  failed: number;
  examples: Example[];
}

export interface TestReport {
  rows: number;
  rules: RuleResult[];
  skipped: string[];
}

const MAX_EXAMPLES = 5;
const INT = /^[+-]?\d+$/;
const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digits of v from `from` to `to` as a number, or -1 when one is not a digit. */
function digits(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** YYYY-MM-DD naming a real day (leap years included). Read by hand: it runs once per cell. */
export function isDate(v: string): boolean {
  if (v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const y = digits(v, 0, 4), m = digits(v, 5, 7), d = digits(v, 8, 10);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]!);
}

const TYPE_OK: Record<Column['type'], (v: string) => boolean> = {
  string: () => true,
  integer: (v) => INT.test(v),
  number: (v) => NUM.test(v),
  boolean: (v) => v === 'true' || v === 'false',
  date: isDate,
  timestamp: (v) => isDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v)),
};

function result(rule: string, expects: string, column?: string): RuleResult {
  return { rule, column, expects, failed: 0, examples: [] };
}

function fail(r: RuleResult, row: number, value: string, column?: string): void {
  r.failed++;
  if (r.examples.length < MAX_EXAMPLES) r.examples.push({ row, value: value.length > 80 ? `${value.slice(0, 77)}...` : value, ...(column ? { column } : {}) });
}

/** One column's rules, compiled into a function of the cell's text ('' is missing). */
function columnChecks(c: Column): { results: RuleResult[]; check: (v: string, row: number) => void } {
  const req = result('required', 'a value in every row', c.name);
  const type = result('type', c.type, c.name);
  const results = [req, type];
  const extra: Array<(v: string, row: number) => void> = [];
  const numeric = c.type === 'integer' || c.type === 'number';
  const cmp = (v: string): number | string => (numeric ? Number(v) : v);
  if (c.minimum !== undefined) {
    const r = result('minimum', `>= ${c.minimum}`, c.name);
    results.push(r);
    extra.push((v, row) => { if (cmp(v) < c.minimum!) fail(r, row, v); });
  }
  if (c.maximum !== undefined) {
    const r = result('maximum', `<= ${c.maximum}`, c.name);
    results.push(r);
    extra.push((v, row) => { if (cmp(v) > c.maximum!) fail(r, row, v); });
  }
  if (c.pattern !== undefined) {
    const re = new RegExp(c.pattern, 'u');
    const r = result('pattern', c.pattern, c.name);
    results.push(r);
    extra.push((v, row) => { if (!re.test(v)) fail(r, row, v); });
  }
  if (c.minLength !== undefined || c.maxLength !== undefined) {
    const lo = c.minLength ?? 0, hi = c.maxLength ?? Infinity;
    const r = result('length', `${lo} to ${hi} characters`, c.name);
    results.push(r);
    extra.push((v, row) => { if (v.length < lo || v.length > hi) fail(r, row, v); });
  }
  if (c.validValues) {
    const allowed = new Set(c.validValues.map(String));
    const r = result('validValues', `one of ${c.validValues.join(', ')}`, c.name);
    results.push(r);
    extra.push((v, row) => { if (!allowed.has(v)) fail(r, row, v); });
  }
  const typeOk = TYPE_OK[c.type];
  const check = (v: string, row: number): void => {
    if (v === '') { if (c.required) fail(req, row, v); return; }
    if (!typeOk(v)) { fail(type, row, v); return; }
    for (const f of extra) f(v, row);
  };
  return { results: c.required ? results : results.slice(1), check };
}

/**
 * A string that does not share memory with the text it was cut from. A cell is a slice of a 64 KiB
 * chunk of the file; kept in a set of keys as is, it would keep that chunk, and so the file, alive.
 */
function ownCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1); // V8 copies strings under 13 characters anyway
}

export interface CheckOptions {
  /** Freshness is measured against this time (ms since epoch); without it, it is skipped. */
  asOf?: number;
}

/** Feeds rows (cells as text, '' missing) through every rule of a contract. */
export class RowChecker {
  private contract: Contract;
  private opts: CheckOptions;
  private indexes: number[] = [];
  private checks: Array<(v: string, row: number) => void> = [];
  private results: RuleResult[] = [];
  private keys: Array<{ idx: number[]; seen: Set<string>; r: RuleResult }> = [];
  private fresh = { idx: -1, max: '' };
  rows = 0;

  constructor(contract: Contract, opts: CheckOptions = {}) {
    this.contract = contract;
    this.opts = opts;
  }

  /** Maps the data's header to the contract's columns; a missing or extra column fails "columns". */
  header(names: string[]): void {
    const cols = result('columns', `exactly the columns ${this.contract.columns.map((c) => c.name).join(', ')}`);
    this.results.push(cols);
    const pos = new Map(names.map((n, i) => [n, i]));
    for (const c of this.contract.columns) {
      const i = pos.get(c.name);
      if (i === undefined) { fail(cols, 0, `missing ${c.name}`); continue; }
      const cc = columnChecks(c);
      this.indexes.push(i);
      this.checks.push(cc.check);
      this.results.push(...cc.results);
      if (this.contract.freshness?.column === c.name) this.fresh.idx = i;
    }
    for (const n of names) if (!this.contract.columns.some((c) => c.name === n)) fail(cols, 0, `undeclared ${n}`);
    this.uniqueKeys(pos);
  }

  private uniqueKeys(pos: Map<string, number>): void {
    const pk = this.contract.columns.filter((c) => c.primaryKey);
    const sets = this.contract.columns.filter((c) => c.unique && !(c.primaryKey && pk.length > 1)).map((c) => [c]);
    if (pk.length > 1) sets.push(pk);
    for (const set of sets) {
      const idx = set.map((c) => pos.get(c.name));
      if (idx.some((i) => i === undefined)) continue;
      const name = set.map((c) => c.name).join('+');
      const r = result('unique', set.length > 1 ? 'no two rows with the same key' : 'no repeated value', name);
      this.results.push(r);
      this.keys.push({ idx: idx as number[], seen: new Set(), r });
    }
  }

  row(cells: string[]): void {
    const n = ++this.rows;
    const { indexes, checks } = this;
    for (let j = 0; j < indexes.length; j++) checks[j]!(cells[indexes[j]!] ?? '', n);
    for (const k of this.keys) {
      const key = k.idx.length === 1 ? cells[k.idx[0]!]! : k.idx.map((i) => cells[i]).join('\u0000');
      if (key === '' || key === undefined) continue;
      if (k.seen.has(key)) fail(k.r, n, key.replaceAll('\u0000', ', '));
      else k.seen.add(ownCopy(key));
    }
    if (this.fresh.idx >= 0) {
      const v = cells[this.fresh.idx] ?? '';
      if (v > this.fresh.max) this.fresh.max = v;
    }
  }

  finish(): TestReport {
    const skipped: string[] = [];
    const { rowCountMin, freshness } = this.contract;
    if (rowCountMin !== undefined) {
      const r = result('rowCount', `at least ${rowCountMin} rows`);
      if (this.rows < rowCountMin) { r.failed = 1; r.examples.push({ row: 0, value: `${this.rows} rows` }); }
      this.results.push(r);
    }
    if (freshness) {
      if (this.opts.asOf === undefined) skipped.push(`freshness (${freshness.text} on ${freshness.column}): pass --as-of to check it`);
      else {
        const r = result('freshness', `newest ${freshness.column} within ${freshness.text} of the --as-of time`, freshness.column);
        const newest = Date.parse(this.fresh.max.length === 10 ? `${this.fresh.max}T23:59:59Z` : this.fresh.max);
        if (!(newest >= this.opts.asOf - freshness.hours * 3600_000)) { r.failed = 1; r.examples.push({ row: 0, value: this.fresh.max ? `newest is ${this.fresh.max}` : 'no dated rows' }); }
        this.results.push(r);
      }
    }
    for (const k of this.keys) k.seen.clear();
    return { rows: this.rows, rules: this.results, skipped };
  }
}
