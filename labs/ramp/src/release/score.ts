// Scoring labelled data with the runtime that serves the models: one pass over the CSV, each row
// turned into the cells each model takes, the positive-class probability (or the prediction)
// kept per row, with the label and the slice values.
import { InputError, RampError, EXIT } from '../errors.ts';
import type { Cell, Label, Model } from '../estimators/index.ts';
import { atRow } from '../estimators/index.ts';
import type { RampFs } from '../host.ts';
import { CSV_MISSING, DECIMAL, readCsv } from './csv-stream.ts';

export interface Scored {
  n: number;
  /** Classifier: 1 for the positive class, else 0. Regressor: the target value. */
  y: Float64Array;
  /** Per model: positive-class probability (classifier) or prediction (regressor). */
  scores: Float64Array[];
  /** Per slice column: the value of each row ("(missing)" when empty). */
  slices: Map<string, string[]>;
}

export interface ScoreSpec {
  file: string;
  target: string;
  slices: string[];
  positive: string | null;
  task: 'classifier' | 'regressor';
}

const label = (l: Label): string => (typeof l === 'bigint' ? l.toString() : String(l));

/** Where each of a model's input columns is in the CSV header (by name, else by position). */
function columnMap(model: Model, header: string[], file: string, exclude: string[]): number[] {
  if (!model.featureNames) {
    const usable = header.map((_, j) => j).filter((j) => !exclude.includes(header[j]!));
    if (usable.length < model.nFeatures) throw new InputError(`${file} has ${usable.length} feature columns, the model takes ${model.nFeatures}`);
    return usable.slice(0, model.nFeatures);
  }
  return model.inputs.map((c) => {
    const j = header.indexOf(c.name!);
    if (j < 0) throw new InputError(`${file} has no column "${c.name}", which the model takes`, `The model's columns: ${model.featureNames!.join(', ')}. Check feature parity first.`);
    return j;
  });
}

function cellOf(s: string, kind: string, where: string): Cell {
  if (CSV_MISSING.has(s)) return NaN;
  if (kind === 'string') return s;
  if (DECIMAL.test(s)) return Number(s);
  if (kind === 'any') return s;
  throw new InputError(`${where} is not a number: ${JSON.stringify(s.slice(0, 20))}`);
}

export function scoreModels(fs: RampFs, models: Model[], spec: ScoreSpec): Scored {
  const y: number[] = [];
  const scores: number[][] = models.map(() => []);
  const slices = new Map<string, string[]>(spec.slices.map((s) => [s, []]));
  let maps: number[][] = [];
  let target = -1;
  let sliceAt: number[] = [];
  const bufs = models.map((m) => new Float64Array(Math.max(1, m.classes?.length ?? m.nOutputs)));
  let parsed = new Float64Array(0);
  let seen = new Int32Array(0);
  let stamp = 0;
  const positiveIdx = models.map((m) => (m.classes ? m.classes.map(label).indexOf(spec.positive ?? '') : -1));
  readCsv(fs, spec.file, (cells, line) => {
    const t = cells[target]!;
    if (CSV_MISSING.has(t)) throw new InputError(`${spec.file}, line ${line}: the target "${spec.target}" is missing`, 'Drop unlabelled rows from the holdout.');
    if (spec.task === 'classifier') y.push(t === spec.positive || (DECIMAL.test(t) && spec.positive !== null && DECIMAL.test(spec.positive) && Number(t) === Number(spec.positive)) ? 1 : 0);
    else if (DECIMAL.test(t)) y.push(Number(t));
    else throw new InputError(`${spec.file}, line ${line}: the target "${spec.target}" is not a number: ${JSON.stringify(t.slice(0, 20))}`);
    sliceAt.forEach((j, k) => slices.get(spec.slices[k]!)!.push(CSV_MISSING.has(cells[j]!) ? '(missing)' : cells[j]!));
    // Numbers are parsed once per row, however many models read the column.
    stamp++;
    models.forEach((m, mi) => {
      const row = maps[mi]!.map((j, k) => {
        const kind = m.inputs[k]!.kind;
        if (kind === 'number' && seen[j] === stamp) return parsed[j]!;
        const c = cellOf(cells[j]!, kind, `line ${line}, column "${m.inputs[k]!.name ?? k}"`);
        if (kind === 'number') { parsed[j] = c as number; seen[j] = stamp; }
        return c;
      });
      scores[mi]!.push(atRow(line, () => scoreRow(m, row, bufs[mi]!, positiveIdx[mi]!)));
    });
  }, (header) => {
    parsed = new Float64Array(header.length);
    seen = new Int32Array(header.length);
    target = header.indexOf(spec.target);
    if (target < 0) throw new RampError(`${spec.file} has no target column "${spec.target}"`, { code: 'usage', exitCode: EXIT.USAGE, hint: `Columns: ${header.join(', ')}.` });
    sliceAt = spec.slices.map((s) => {
      const j = header.indexOf(s);
      if (j < 0) throw new RampError(`${spec.file} has no slice column "${s}"`, { code: 'usage', exitCode: EXIT.USAGE, hint: `Columns: ${header.join(', ')}.` });
      return j;
    });
    maps = models.map((m) => columnMap(m, header, spec.file, [spec.target, ...spec.slices]));
  });
  return { n: y.length, y: Float64Array.from(y), scores: scores.map((s) => Float64Array.from(s)), slices };
}

function scoreRow(m: Model, row: Cell[], buf: Float64Array, positive: number): number {
  if (m.task === 'classifier') {
    if (m.hasProba === false) return m.predictIndex(row) === positive ? 1 : 0;
    m.proba(row, buf);
    return buf[positive]!;
  }
  m.predictValues(row, buf);
  return buf[0]!;
}
