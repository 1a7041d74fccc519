// Writing one partition of an output: `<output>/date=YYYY-MM-DD/part.csv`.
//
// replace-partition writes the whole partition to a temporary file in the same folder, flushes
// it to disk, then renames it over part.csv. A rename within one folder is atomic, so a reader
// (or a run that is killed half-way) sees either the old complete partition or the new one,
// never a mix; a re-run replaces the rows instead of adding them.
// append adds the rows to part.csv: what the lab's starter does, and why re-runs duplicate.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

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

export const nodeIo: PartitionIo = {
  open: (p) => openSync(p, 'wx', 0o644),
  write: (fd, text) => {
    const buf = Buffer.from(text, 'utf8');
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
  },
  sync: (fd) => fsyncSync(fd),
  close: (fd) => closeSync(fd),
  rename: (a, b) => renameSync(a, b),
  remove: (p) => rmSync(p, { force: true }),
};

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
export function sweepTemp(dir: string, io: PartitionIo = nodeIo): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) if (TMP.test(f)) { io.remove(join(dir, f)); n++; }
  return n;
}

/** Replaces the partition with these lines (header first), atomically. */
export function replacePartition(dir: string, lines: string[], io: PartitionIo = nodeIo): string {
  mkdirSync(dir, { recursive: true });
  sweepTemp(dir, io);
  const target = join(dir, PART_FILE);
  const tmp = join(dir, `.part.csv.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
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
  syncDir(dir);
  return target;
}

function syncDir(dir: string): void {
  // Makes the rename itself durable where the platform allows opening a folder.
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* not supported here (Windows, some in-browser filesystems) */ }
}

/** Appends the rows (and the header when the file is new): re-runs add the same rows again. */
export function appendPartition(dir: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, PART_FILE);
  const body = existsSync(target) ? lines.slice(1) : lines;
  if (body.length) appendFileSync(target, `${body.join('\n')}\n`);
  return target;
}
