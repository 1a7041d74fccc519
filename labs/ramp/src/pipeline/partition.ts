// Writing one partition of an output: `<output>/date=YYYY-MM-DD/part.csv`.
//
// replace-partition writes the whole partition to a temporary file in the same folder, flushes
// it to disk, then renames it over part.csv. A rename within one folder is atomic, so a reader
// (or a run that is killed half-way) sees either the old complete partition or the new one,
// never a mix; a re-run replaces the rows instead of adding them.
// append adds the rows to part.csv: what the lab's starter does, and why re-runs duplicate.
import type { RampFs } from '../host.ts';
import { exists } from '../files.ts';
import { join } from '../path.ts';

export const PART_FILE = 'part.csv';
const TMP = /^\.part\.csv\.\d+\.[a-z0-9]+\.tmp$/;

/** The file operations a partition write uses; tests swap in one that fails half-way. */
export interface PartitionIo {
  open(path: string): number;
  write(fd: number, text: string): void;
  sync(fd: number): void;
  close(fd: number): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

/** PartitionIo over a RampFs: a file is created exclusively, written in pieces, then flushed. */
export function fsIo(fs: RampFs): PartitionIo {
  const open: string[] = [];
  return {
    open: (p) => { fs.writeFile(p, '', { exclusive: true }); return open.push(p) - 1; },
    write: (fd, text) => fs.appendFile(open[fd]!, text),
    sync: (fd) => fs.sync?.(open[fd]!),
    close: () => {},
    rename: (a, b) => fs.rename(a, b),
    remove: (p) => fs.rm(p, { force: true }),
  };
}

export function partitionDir(outputDir: string, key: string, date: string): string {
  return join(outputDir, `${key}=${date}`);
}

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;
}

export function csvText(header: string[], rows: string[][]): string[] {
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return lines;
}

/** Removes temporary files a killed run left behind (never part.csv itself). */
export function sweepTemp(fs: RampFs, dir: string, io: PartitionIo = fsIo(fs)): number {
  if (!exists(fs, dir)) return 0;
  let n = 0;
  for (const f of fs.readdir(dir)) if (TMP.test(f)) { io.remove(join(dir, f)); n++; }
  return n;
}

/** Replaces the partition with these lines (header first), atomically. */
export function replacePartition(fs: RampFs, dir: string, lines: string[], io: PartitionIo = fsIo(fs)): string {
  fs.mkdir(dir, { recursive: true });
  sweepTemp(fs, dir, io);
  const target = join(dir, PART_FILE);
  const tmp = join(dir, `.part.csv.${Math.floor(Math.random() * 1e9)}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd = -1;
  try {
    fd = io.open(tmp);
    // Write in slices so a large partition never needs one giant string.
    for (let i = 0; i < lines.length; i += 4096) io.write(fd, `${lines.slice(i, i + 4096).join('\n')}\n`);
    io.sync(fd);
    io.close(fd);
    fd = -1;
    io.rename(tmp, target);
  } catch (e) {
    if (fd >= 0) try { io.close(fd); } catch { /* already failing */ }
    io.remove(tmp);
    throw e;
  }
  // Makes the rename itself durable where the platform allows flushing a folder.
  try { fs.sync?.(dir); } catch { /* not supported here (Windows) */ }
  return target;
}

/** Appends the rows (and the header when the file is new): re-runs add the same rows again. */
export function appendPartition(fs: RampFs, dir: string, lines: string[]): string {
  fs.mkdir(dir, { recursive: true });
  const target = join(dir, PART_FILE);
  const body = exists(fs, target) ? lines.slice(1) : lines;
  if (body.length) fs.appendFile(target, `${body.join('\n')}\n`);
  return target;
}
