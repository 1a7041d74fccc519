// Small helpers over a RampFs: relative paths against the run's folder, text, existence.
import type { RampFs } from './host.ts';
import { resolve } from './path.ts';

/** The filesystem as one run sees it: relative paths are taken from `cwd`. */
export function cwdFs(fs: RampFs, cwd: string): RampFs {
  const r = (p: string): string => resolve(cwd, p);
  const out: RampFs = {
    readFile: (p) => fs.readFile(r(p)),
    readRange: (p, pos, len) => fs.readRange(r(p), pos, len),
    writeFile: (p, d, o) => fs.writeFile(r(p), d, o),
    appendFile: (p, d) => fs.appendFile(r(p), d),
    stat: (p) => fs.stat(r(p)),
    readdir: (p) => fs.readdir(r(p)),
    mkdir: (p, o) => fs.mkdir(r(p), o),
    rename: (a, b) => fs.rename(r(a), r(b)),
    rm: (p, o) => fs.rm(r(p), o),
    realpath: (p) => fs.realpath(r(p)),
  };
  if (fs.sync) out.sync = (p) => fs.sync!(r(p));
  return out;
}

/** UTF-8 as node:fs reads it (a byte-order mark is kept, bad bytes become U+FFFD). */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function decodeText(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

export function readText(fs: RampFs, path: string): string {
  return UTF8.decode(fs.readFile(path));
}

export function exists(fs: RampFs, path: string): boolean {
  try {
    fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

export function isDirectory(fs: RampFs, path: string): boolean {
  try {
    return fs.stat(path).isDirectory();
  } catch {
    return false;
  }
}

/** The error's Node-style code (ENOENT, …), else its message. */
export function errCode(e: unknown): string {
  return (e as { code?: string }).code ?? (e as Error).message;
}

/** A file's text in pieces of about `size` bytes (UTF-8 sequences are never split). */
export function* textChunks(fs: RampFs, path: string, size = 1 << 20): Generator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for (let pos = 0; ;) {
    const bytes = fs.readRange(path, pos, size);
    if (bytes.length === 0) break;
    pos += bytes.length;
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
