// Output helpers for ramp's commands that live apart from cli.ts (validate, drift, pipeline,
// contract): colour only when asked, tables for a terminal and Markdown for a merge request comment.
import type { RampFs, RampIO } from '../host.ts';

/** One run's output options and host: every command writes through `io`, reads through `fs`. */
export interface Out {
  json: boolean;
  color: boolean;
  io: RampIO;
  /** io.fs with relative paths taken from io.cwd. */
  fs: RampFs;
}

export function paint(o: Out, code: string, s: string): string {
  return o.color ? `\x1b[${code}m${s}\x1b[0m` : s;
}
export const bold = (o: Out, s: string): string => paint(o, '1', s);
export const red = (o: Out, s: string): string => paint(o, '31', s);
export const green = (o: Out, s: string): string => paint(o, '32', s);
export const yellow = (o: Out, s: string): string => paint(o, '33', s);
export const dim = (o: Out, s: string): string => paint(o, '2', s);

export function print(o: Out, s: string): void {
  o.io.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}
export function printJson(o: Out, v: unknown): void {
  o.io.stdout.write(`${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : typeof x === 'number' && !Number.isFinite(x) ? null : x), 2)}\n`);
}

/** Columns padded to their widest cell (measured before colour is added). */
export function table(rows: string[][], o: Out, colour?: (row: number, col: number, s: string) => string): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, c.length); });
  return rows.map((r, ri) => {
    const line = r.map((c, i) => {
      const padded = i === r.length - 1 ? c : c.padEnd(w[i]!);
      return ri === 0 ? bold(o, padded) : colour ? colour(ri, i, padded) : padded;
    }).join('  ');
    return line.trimEnd();
  }).join('\n');
}

export function markdownTable(rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${rows[0]!.map(esc).join(' | ')} |`, `| ${rows[0]!.map(() => '---').join(' | ')} |`, ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** A metric value for people: 4 significant decimals, "—" when there is none. */
export function fmt(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 1000) return v.toFixed(1);
  return Number(v.toFixed(4)).toString();
}

export function signed(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmt(Math.abs(v))}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Two columns, the first padded. */
export function pairs(rows: Array<[string, string]>, o: Out, indent = '  '): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${bold(o, k.padEnd(w))}  ${v}`).join('\n');
}

/** What a command receives from cli.ts's parser. */
export interface CommandArgs {
  pos: string[];
  flags: Map<string, string | true>;
}

/** Key and value lines (`ramp inspect`); a multi-line value continues under the value column. */
export function summary(rows: Array<[string, string]>, o: Out): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${bold(o, k.padEnd(w))}  ${v.split('\n').join(`\n${' '.repeat(w + 2)}`)}`).join('\n');
}
