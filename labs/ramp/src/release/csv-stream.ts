// A CSV reader for large files: reads fixed-size chunks and hands over one record at a time, so
// memory does not grow with the file (one record per line; quoted cells may hold commas).
import type { RampFs } from '../host.ts';
import { RampError } from '../errors.ts';
import { errCode, textChunks } from '../files.ts';
import { splitCsvLine } from '../csv.ts';

export { CSV_MISSING, DECIMAL } from '../csv.ts';

/**
 * 64 KiB: a chunk's text stays an ordinary young object. With 1 MiB chunks each one lived in V8's
 * large-object space and was promoted on every scavenge, and V8 grows its young generation with
 * what survives: peak RSS then rose with the file (221 MiB at 100k rows, 320 MiB at 1M for
 * `ramp drift`), where with 64 KiB it stays flat (bench/release/run.mjs).
 */
const CHUNK_BYTES = 1 << 16;

/**
 * Calls onRow(cells, lineNumber) for every record after the header; returns the header.
 * A record whose cell count differs from the header's is an error naming the file and line.
 */
export function readCsv(fs: RampFs, file: string, onRow: (cells: string[], line: number) => void, onHeader?: (header: string[]) => void): string[] {
  try {
    if (!fs.stat(file).isFile()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  } catch (e) {
    throw new RampError(`cannot read ${file}: ${errCode(e)}`, { code: 'not_found', hint: 'Pass a CSV file with a header line.' });
  }
  let rest = '';
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
  for (const chunk of textChunks(fs, file, CHUNK_BYTES)) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') take(rest);
  if (!header) throw new RampError(`${file} is empty`, { code: 'bad_input', hint: 'Pass a CSV file with a header line.' });
  return header;
}
