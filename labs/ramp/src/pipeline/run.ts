// `ramp pipeline run`: runs the transformation for one date (or each date of a range, in
// order) and writes each output's partition for that date.
import { RampError } from '../errors.ts';
import { exists, readText } from '../files.ts';
import { dirname, join } from '../path.ts';
import { EXIT_NOT_MET, insideProject } from '../data-files.ts';
import { loadContract, type Contract } from '../contracts/contract.ts';
import { RowChecker, isDate, type TestReport } from '../contracts/check-rows.ts';
import { readCsv } from '../contracts/read-rows.ts';
import { appendPartition, csvText, partitionDir, replacePartition, PART_FILE } from './partition.ts';
import { PIPELINE_FILE, pipelineOf, projectPaths, type Pipeline, type PipelineOutput, type Project } from './spec.ts';

type Row = Record<string, unknown>;
export type Transform = (inputs: Record<string, Row[]>, ctx: { date: string }) => Iterable<Row> | Promise<Iterable<Row>>;

export interface OutputResult {
  output: string;
  partition: string;
  mode: string;
  rows: number;
  /** Rows in the partition before this run (null: it did not exist). */
  before: number | null;
  /** Rows in the partition after this run. */
  after: number;
}

export interface DateResult {
  date: string;
  outputs: OutputResult[];
}

/** A partition that fails its data contract is not published: exit 6, the old one stays. */
export class ContractFailedError extends RampError {
  report: TestReport;
  constructor(message: string, report: TestReport, hint: string) {
    super(message, { code: 'contract_failed', hint, exitCode: EXIT_NOT_MET });
    this.report = report;
  }
}

export function checkDate(d: string, flag: string): string {
  if (!isDate(d)) throw new RampError(`${flag} must be a date written YYYY-MM-DD, got "${d}"`, { code: 'usage', exitCode: 2, hint: 'e.g. --date 2026-03-02' });
  return d;
}

export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** How a host imports a script: RampIO.importModule. */
export type ImportModule = (path: string) => Promise<Record<string, unknown>>;

/** Without a host importer: the script's text as a module (it cannot import relative files). */
function importText(project: Project): ImportModule {
  return async (file) => (await import(/* @vite-ignore */ `data:text/javascript;charset=utf-8,${encodeURIComponent(readText(project.fs, file))}`)) as Record<string, unknown>;
}

export async function loadTransform(project: Project, p: Pipeline, importModule?: ImportModule): Promise<Transform> {
  const file = insideProject(project.fs, project.dir, p.transform, PIPELINE_FILE, 'transform');
  if (!exists(project.fs, file)) throw new RampError(`${p.transform} does not exist`, { code: 'not_found', hint: 'Set transform in pipeline.yaml to the script that turns a day of input into output rows.' });
  const mod = await (importModule ?? importText(project))(file);
  const fn = mod.default ?? mod.transform;
  if (typeof fn !== 'function') throw new RampError(`${p.transform} exports no transformation`, { hint: 'Export it: `export default function transform(inputs, { date }) { return rows; }`.' });
  return fn as Transform;
}

async function readInputs(project: Project, p: Pipeline, date: string): Promise<Record<string, Row[]>> {
  const inputs: Record<string, Row[]> = {};
  for (const [i, inp] of p.inputs.entries()) {
    const rel = inp.path.replaceAll('{date}', date);
    const file = insideProject(project.fs, project.dir, rel, PIPELINE_FILE, `inputs.${i}.path`);
    if (!exists(project.fs, file)) throw new RampError(`no input for ${date}: ${rel} does not exist`, { code: 'not_found', hint: `A run reads the input of its own date. Check the date, or that ${inp.name} has landed for it.` });
    const rows: Row[] = [];
    let header: string[] = [];
    await readCsv(project, file, { header: (h) => { header = h; }, row: (cells) => { const r: Row = {}; header.forEach((h, j) => { r[h] = cells[j]; }); rows.push(r); } });
    inputs[inp.name] = rows;
  }
  return inputs;
}

const cellText = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

async function countRows(project: Project, file: string): Promise<number | null> {
  if (!exists(project.fs, file)) return null;
  let n = 0;
  await readCsv(project, file, { header: () => {}, row: () => { n++; } });
  return n;
}

function checkAgainst(contract: Contract, header: string[], cells: string[][]): TestReport {
  const checker = new RowChecker(contract);
  checker.header(header);
  for (const c of cells) checker.row(c);
  return checker.finish();
}

async function writeOutput(project: Project, out: PipelineOutput, i: number, rows: Row[], date: string): Promise<OutputResult> {
  const base = insideProject(project.fs, project.dir, out.path, PIPELINE_FILE, `outputs.${i}.path`);
  const contract = out.contract && exists(project.fs, join(project.dir, out.contract)) ? loadContract(project.fs, insideProject(project.fs, project.dir, out.contract, PIPELINE_FILE, `outputs.${i}.contract`)) : null;
  const header = contract ? contract.columns.map((c) => c.name) : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => header.map((h) => cellText(r[h])));
  if (contract) {
    const report = checkAgainst(contract, header, cells);
    const bad = report.rules.filter((r) => r.failed > 0);
    if (bad.length) {
      const first = bad[0]!, ex = first.examples[0];
      throw new ContractFailedError(`${date}: ${out.name} fails its contract ${out.contract}: ${bad.length} rule${bad.length > 1 ? 's' : ''} (${first.rule}${first.column ? ` on ${first.column}` : ''}: ${first.failed} row${first.failed > 1 ? 's' : ''}${ex && ex.row ? `, e.g. row ${ex.row}: "${ex.value}"` : ''}); the partition was not published`, report, `Fix the transformation or its input; the previous partition is untouched. \`ramp contract test ${out.contract} <file>\` shows every failure.`);
    }
  }
  const dir = partitionDir(base, out.partition_by, date);
  const file = join(dir, PART_FILE);
  const before = await countRows(project, file);
  const lines = csvText(header, cells);
  if (out.write === 'replace-partition') replacePartition(project.fs, dir, lines);
  else if (out.write === 'append') appendPartition(project.fs, dir, lines);
  else throw new RampError(`${PIPELINE_FILE}: outputs.${i}.write: "${out.write}" is not a write mode ramp knows`, { code: 'usage', exitCode: 4, hint: 'Use write: replace-partition (or append, which re-runs duplicate).' });
  const after = out.write === 'append' ? (before ?? 0) + rows.length : rows.length;
  return { output: out.name, partition: join(out.path, `${out.partition_by}=${date}`, PART_FILE), mode: out.write, rows: rows.length, before, after };
}

/** Runs one date: every output's partition for it is written, or (on any error) none is changed further. */
export async function runDate(project: Project, p: Pipeline, transform: Transform, date: string): Promise<DateResult> {
  const inputs = await readInputs(project, p, date);
  const produced = await transform(inputs, { date });
  const rows = Array.isArray(produced) ? (produced as Row[]) : [...(produced as Iterable<Row>)];
  if (!rows.every((r) => r !== null && typeof r === 'object')) throw new RampError(`${p.transform} returned something other than rows for ${date}`, { hint: 'Return an array of objects, one per output row, keyed by column name.' });
  const outputs: OutputResult[] = [];
  for (const [i, out] of p.outputs.entries()) outputs.push(await writeOutput(project, out, i, rows, date));
  return { date, outputs };
}

interface BackfillState {
  from: string;
  to: string;
  done: string[];
}

export function statePath(project: Project): string {
  return join(project.dir, '.ramp', 'backfill.json');
}

function readState(project: Project, file: string): BackfillState | null {
  try {
    const s = JSON.parse(readText(project.fs, file)) as BackfillState;
    return Array.isArray(s.done) ? s : null;
  } catch {
    return null;
  }
}

function writeState(project: Project, file: string, s: BackfillState): void {
  project.fs.mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  project.fs.writeFile(tmp, `${JSON.stringify(s)}\n`);
  project.fs.rename(tmp, file);
}

export interface RunEvents {
  onStart?(dates: string[], skipped: string[]): void;
  onDate?(r: DateResult): void;
}

/**
 * Runs each date from..to in order. Progress is saved after each date in .ramp/backfill.json;
 * if the backfill stops (an error, a kill), running the same range again resumes at the first
 * date not done. The file is removed when the range completes.
 */
export async function runRange(project: Project, from: string, to: string, ev: RunEvents = {}, importModule?: ImportModule): Promise<DateResult[]> {
  const p = pipelineOf(project);
  projectPaths(project, p);
  const transform = await loadTransform(project, p, importModule);
  const dates = datesBetween(from, to);
  const single = from === to;
  const file = statePath(project);
  const prev = single ? null : readState(project, file);
  const skipped = prev && prev.from === from && prev.to === to ? prev.done.filter((d) => dates.includes(d)) : [];
  const state: BackfillState = { from, to, done: [...skipped] };
  ev.onStart?.(dates, skipped);
  const results: DateResult[] = [];
  for (const d of dates) {
    if (skipped.includes(d)) continue;
    const r = await runDate(project, p, transform, d);
    results.push(r);
    ev.onDate?.(r);
    if (!single) writeState(project, file, { ...state, done: (state.done = [...state.done, d]) });
  }
  if (!single) project.fs.rm(file, { force: true });
  return results;
}
