// Output helpers for the data engineer's commands (kept apart from cli.ts, which others edit).
export interface Out {
  json: boolean;
  color: boolean;
}

const paint = (o: Out, code: string, s: string): string => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (o: Out, s: string): string => paint(o, '1', s);
export const red = (o: Out, s: string): string => paint(o, '31', s);
export const green = (o: Out, s: string): string => paint(o, '32', s);
export const yellow = (o: Out, s: string): string => paint(o, '33', s);
export const dim = (o: Out, s: string): string => paint(o, '2', s);

export function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Two columns, the first padded. */
export function pairs(rows: Array<[string, string]>, o: Out, indent = '  '): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${bold(o, k.padEnd(w))}  ${v}`).join('\n');
}

/** What a data command receives from cli.ts's parser. */
export interface CommandArgs {
  pos: string[];
  flags: Map<string, string | true>;
}
