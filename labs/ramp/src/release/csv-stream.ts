// A CSV reader for large files: reads fixed-size chunks and hands over one record at a time, so
// memory does not grow with the file (one record per line; quoted cells may hold commas).
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { RampError } from '../errors.ts';
import { splitCsvLine } from '../csv.ts';

export { CSV_MISSING, DECIMAL } from '../csv.ts';

const CHUNK = 1 << 20;

/**
 * Calls onRow(cells, lineNumber) for every record after the header; returns the header.
 * A record whose cell count differs from the header's is an error naming the file and line.
 */
export function readCsv(file: string, onRow: (cells: string[], line: number) => void, onHeader?: (header: string[]) => void): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new RampError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { code: 'not_found', hint: 'Pass a CSV file with a header line.' });
  }
  const buf = Buffer.allocUnsafe(CHUNK);
  let rest = '';
  const decoder = new StringDecoder('utf8');
  let header: string[] | null = null;
  let lineNo = 0;
  const take = (line: string): void => {
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') return;
    const cells = splitCsvLine(line);
    if (!header) {
      header = cells;
      onHeader?.(header);
      return;
    }
    if (cells.length !== header.length) throw new RampError(`${file}, line ${lineNo}: ${cells.length} cells, the header has ${header.length}`, { code: 'bad_input', hint: 'Every CSV record must have one cell per header column.' });
    onRow(cells, lineNo);
  };
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const text = rest + decoder.write(buf.subarray(0, n));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        take(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') take(rest);
  } finally {
    closeSync(fd);
  }
  if (!header) throw new RampError(`${file} is empty`, { code: 'bad_input', hint: 'Pass a CSV file with a header line.' });
  return header;
}
