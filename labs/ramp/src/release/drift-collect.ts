// One streaming pass over a CSV, keeping per column only what the drift tests need: a bounded
// summary of the numbers (numeric-summary.ts) or the counts per category, never the text of the
// file: memory does not grow with the number of rows.
import { InputError } from '../errors.ts';
import type { Cell, Model } from '../estimators/index.ts';
import type { RampFs } from '../host.ts';
import { CSV_MISSING, DECIMAL, readCsv } from './csv-stream.ts';
import { NumericSummary } from './numeric-summary.ts';

/** Categories beyond this many distinct values are not kept for an all-numeric column. */
const MAX_CATEGORIES = 10_000;

export class ColumnSample {
  numbers = new NumericSummary();
  missing = 0;
  rows = 0;
  /** Non-numeric values seen: the column is categorical. */
  text = false;
  categories: Map<string, number> | null = new Map();
  /** Kind forced by the model's input ('number' or 'string'), if any. */
  kind: string | null = null;

  add(s: string): void {
    this.rows++;
    if (CSV_MISSING.has(s)) { this.missing++; return; }
    if (this.kind !== 'string' && !this.text && DECIMAL.test(s)) this.push(Number(s));
    else if (this.kind === 'number') throw new InputError(`not a number: ${JSON.stringify(s.slice(0, 20))}`);
    else this.text = true;
    if (this.categories) {
      this.categories.set(s, (this.categories.get(s) ?? 0) + 1);
      if (!this.text && this.categories.size > MAX_CATEGORIES) this.categories = null;
    } else if (this.text) {
      throw new InputError(`a text value ${JSON.stringify(s.slice(0, 20))} after more than ${MAX_CATEGORIES} distinct numbers`, 'A column must hold numbers or categories, not both.');
    }
  }

  push(v: number): void {
    this.numbers.push(v);
  }

  get count(): number {
    return this.numbers.count;
  }

  get numeric(): boolean {
    return this.kind === 'number' || (this.kind !== 'string' && !this.text && this.count > 0);
  }
}

export interface Collected {
  file: string;
  rows: number;
  header: string[];
  columns: Map<string, ColumnSample>;
  /** The model's score per row (positive-class probability or prediction), when a model is given. */
  prediction: ColumnSample | null;
}

/** Reads a CSV once, keeping the wanted columns, and scores each row with the model if given. */
export function collect(fs: RampFs, file: string, wanted: ((header: string[]) => string[]), model: Model | null): Collected {
  const columns = new Map<string, ColumnSample>();
  let at: Array<[number, ColumnSample]> = [];
  let modelAt: number[] = [];
  const prediction = model ? new ColumnSample() : null;
  if (prediction) prediction.kind = 'number';
  const buf = new Float64Array(Math.max(1, model?.classes?.length ?? model?.nOutputs ?? 1));
  let rows = 0;
  const header = readCsv(fs, file, (cells, line) => {
    rows++;
    for (const [j, col] of at) {
      try {
        col.add(cells[j]!);
      } catch (e) {
        if (e instanceof InputError) e.message = `${file}, line ${line}, column "${[...columns.entries()].find(([, c]) => c === col)![0]}": ${e.message}`;
        throw e;
      }
    }
    if (model && prediction) prediction.push(predictOne(model, modelAt.map((j, k) => toCell(cells[j]!, model.inputs[k]!.kind)), buf));
  }, (h) => {
    for (const name of wanted(h)) columns.set(name, new ColumnSample());
    at = [...columns.entries()].map(([name, c]) => [h.indexOf(name), c]);
    if (model) {
      for (const c of model.inputs) {
        const s = columns.get(c.name ?? '');
        if (s && c.kind !== 'any') s.kind = c.kind;
      }
      modelAt = model.inputs.map((c, k) => {
        const j = c.name ? h.indexOf(c.name) : k;
        if (j < 0) throw new InputError(`${file} has no column "${c.name}", which the model takes`);
        return j;
      });
    }
  });
  return { file, rows, header, columns, prediction };
}

function toCell(s: string, kind: string): Cell {
  if (CSV_MISSING.has(s)) return NaN;
  return kind !== 'string' && DECIMAL.test(s) ? Number(s) : s;
}

function predictOne(m: Model, row: Cell[], buf: Float64Array): number {
  if (m.task === 'classifier') {
    if (m.hasProba === false) return m.predictIndex(row);
    m.proba(row, buf);
    return buf[buf.length - 1]!;
  }
  m.predictValues(row, buf);
  return buf[0]!;
}
