// Streams the rows of a data file (CSV with a header, or JSON lines) as text cells, so a file
// of any length is checked in constant memory. A record longer than the limit is refused.
import type { RampFs } from '../host.ts';
import { LimitError, RampError } from '../errors.ts';
import { malformed } from '../data-files.ts';
import { decodeText, isDirectory, exists, textChunks } from '../files.ts';
import type { Column } from './contract.ts';
import { CsvRecords, CsvSyntaxError } from './csv-records.ts';

/** Longest record (a CSV row or a JSON line) ramp reads: 1 MiB unless --max-bytes says otherwise. */
export const DEFAULT_MAX_RECORD = 1 << 20;

export interface RowSink {
  header(names: string[]): void;
  row(cells: string[]): void;
}

/** Where data files come from: a filesystem, and standard input for `-`. */
export interface DataSource {
  fs: RampFs;
  stdin?: () => Uint8Array;
}

export type DataFormat = 'csv' | 'jsonl';

export function formatOf(file: string): DataFormat {
  return /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv';
}

function open(src: DataSource, file: string): Iterable<string> {
  if (file === '-') {
    if (!src.stdin) throw new RampError('no standard input here', { code: 'not_found', hint: 'Pass the path of the data file.' });
    return [decodeText(src.stdin())];
  }
  if (!exists(src.fs, file)) throw new RampError(`${file} does not exist`, { code: 'not_found', hint: 'Check the path of the data file.' });
  if (isDirectory(src.fs, file)) throw new RampError(`${file} is a folder`, { code: 'not_found', hint: 'Pass one data file (a partition\'s part.csv, say).' });
  return textChunks(src.fs, file, 64 * 1024);
}

export async function readCsv(src: DataSource, file: string, sink: RowSink, maxRecord = DEFAULT_MAX_RECORD): Promise<void> {
  let first = true;
  const onRecord = (rec: string[]): void => {
    if (first) { sink.header(rec.map((s) => s.trim())); first = false; } else sink.row(rec);
  };
  const parser = new CsvRecords(onRecord, maxRecord);
  try {
    for (const chunk of open(src, file)) parser.push(chunk);
    parser.end();
  } catch (e) {
    if (e instanceof CsvSyntaxError && e.tooLong) throw new LimitError(`${file}: a record is longer than ${maxRecord} characters`, -1, 'A data row this long is a broken file (an unclosed quote, a missing newline). Raise --max-bytes only if rows really are this long.');
    if (e instanceof CsvSyntaxError) throw malformed(`${file}: not valid CSV: ${e.message}`, 'Every row needs as many fields as the header, and quotes must be closed.');
    throw e;
  }
  if (first) throw malformed(`${file}: empty, not even a header`, 'A CSV data file starts with a header line naming its columns.');
}

/** A JSON value as cell text; a string where the contract wants a number or boolean keeps its quotes, so the type rule catches it. */
function cellOf(v: unknown, type: Column['type'] | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return type === 'integer' || type === 'number' || type === 'boolean' ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export async function readJsonl(src: DataSource, file: string, sink: RowSink, columns: Column[], maxRecord = DEFAULT_MAX_RECORD): Promise<void> {
  let header: string[] | null = null;
  let types: Array<Column['type'] | undefined> = [];
  let line = 0;
  const onLine = (text: string): void => {
    line++;
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw malformed(`${file}: line ${line} is not valid JSON: ${(e as Error).message}`, 'JSON lines hold one object per line.');
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw malformed(`${file}: line ${line} is not a JSON object`, 'JSON lines hold one object per line.');
    const o = obj as Record<string, unknown>;
    if (!header) {
      header = Object.keys(o);
      types = header.map((h) => columns.find((c) => c.name === h)?.type);
      sink.header(header);
    }
    sink.row(header.map((h, i) => cellOf(o[h], types[i])));
  };
  let rest = '';
  for (const chunk of open(src, file)) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const text = rest + chunk.slice(start, nl);
      rest = '';
      onLine(text);
      start = nl + 1;
    }
    rest += chunk.slice(start);
    if (rest.length > maxRecord) throw new LimitError(`${file}: line ${line + 1} is longer than ${maxRecord} characters`, -1, 'A JSON line this long is a broken file. Raise --max-bytes only if records really are this long.');
  }
  if (rest.trim()) onLine(rest);
  if (!header) throw malformed(`${file}: no rows`, 'JSON lines hold one object per line.');
}
