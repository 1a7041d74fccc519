// An in-memory filesystem for ramp in a browser tab: the one filesystem that ramp, the lab's shell
// and its editor share. It implements RampFs (host.ts) with node:fs's semantics for what ramp uses,
// and adds what a shell and an editor need: list() and writeFile(..., { parents: true }).
//
//   const fs = new MemoryFs();
//   fs.writeFile('/lab/model.joblib', bytes, { parents: true });
//   await run(['inspect', 'model.joblib'], { fs, cwd: '/lab', … });
//   fs.list('/lab')   // [{ path: '/lab/model.joblib', type: 'file', size, mtimeMs }]
//
// Paths: absolute, or relative to '/'; '.', '..' and repeated slashes are normalised; there are
// no links. Errors are Errors with a Node-style `code` and message: ENOENT (missing), EEXIST (already
// there), ENOTDIR (a file where a folder is needed), EISDIR (a folder where a file is needed),
// ENOTEMPTY (rename over a folder that holds something), EINVAL (a folder into itself), EPERM (the root).
// Every call is synchronous, so each one is atomic for the shell and ramp alike. readFile and
// readRange return views of the stored bytes: do not modify them. writeFile copies what it is given.
import type { RampFs, RampStat } from './host.ts';
import { basename, dirname, normalize } from './path.ts';

interface FileNode { type: 'file'; data: Uint8Array; mtimeMs: number }
interface DirNode { type: 'dir'; children: Set<string>; mtimeMs: number }
type Node = FileNode | DirNode;

export interface MemoryEntry {
  path: string;
  type: 'file' | 'dir';
  size: number;
  mtimeMs: number;
}

const UTF8 = new TextEncoder();
const bytesOf = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? UTF8.encode(data) : data.slice());

function fsError(code: string, syscall: string, path: string): Error {
  const what: Record<string, string> = { ENOENT: 'no such file or directory', EEXIST: 'file already exists', ENOTDIR: 'not a directory', EISDIR: 'illegal operation on a directory', ENOTEMPTY: 'directory not empty', EINVAL: 'invalid argument', EPERM: 'operation not permitted' };
  return Object.assign(new Error(`${code}: ${what[code] ?? code}, ${syscall} '${path}'`), { code, syscall, path });
}

export class MemoryFs implements RampFs {
  private readonly nodes = new Map<string, Node>([['/', { type: 'dir', children: new Set(), mtimeMs: Date.now() }]]);
  private clock = 0;

  /** Strictly increasing, so two writes in one millisecond still change the mtime (traffic.yaml is polled). */
  private now(): number {
    this.clock = Math.max(Date.now(), this.clock + 0.001);
    return this.clock;
  }

  private abs(p: string): string {
    return normalize(p.startsWith('/') ? p : `/${p}`);
  }

  /** The node at `p`; ENOENT when missing, ENOTDIR when a parent is a file. */
  private get(p: string, syscall: string): Node {
    const n = this.nodes.get(p);
    if (n) return n;
    for (let d = dirname(p); d !== '/'; d = dirname(d)) {
      const up = this.nodes.get(d);
      if (up) throw fsError(up.type === 'file' ? 'ENOTDIR' : 'ENOENT', syscall, p);
    }
    throw fsError('ENOENT', syscall, p);
  }

  private parentDir(p: string, syscall: string): DirNode {
    const parent = this.get(dirname(p), syscall);
    if (parent.type !== 'dir') throw fsError('ENOTDIR', syscall, p);
    return parent;
  }

  private file(p: string, syscall: string): FileNode {
    const n = this.get(p, syscall);
    if (n.type !== 'file') throw fsError('EISDIR', syscall, p);
    return n;
  }

  readFile(path: string): Uint8Array {
    return this.file(this.abs(path), 'open').data;
  }

  readRange(path: string, position: number, length: number): Uint8Array {
    const data = this.file(this.abs(path), 'read').data;
    return data.subarray(Math.min(position, data.length), Math.min(position + length, data.length));
  }

  /** `parents` creates the missing folders first (as `mkdir -p`). */
  writeFile(path: string, data: string | Uint8Array, opts: { exclusive?: boolean; parents?: boolean } = {}): void {
    const p = this.abs(path);
    if (opts.parents) this.mkdir(dirname(p), { recursive: true });
    const parent = this.parentDir(p, 'open');
    const old = this.nodes.get(p);
    if (old?.type === 'dir') throw fsError('EISDIR', 'open', p);
    if (old && opts.exclusive) throw fsError('EEXIST', 'open', p);
    this.nodes.set(p, { type: 'file', data: bytesOf(data), mtimeMs: this.now() });
    parent.children.add(basename(p));
  }

  appendFile(path: string, data: string | Uint8Array): void {
    const p = this.abs(path);
    const old = this.nodes.get(p);
    if (!old) return this.writeFile(p, data);
    if (old.type === 'dir') throw fsError('EISDIR', 'open', p);
    const add = bytesOf(data);
    const joined = new Uint8Array(old.data.length + add.length);
    joined.set(old.data);
    joined.set(add, old.data.length);
    old.data = joined;
    old.mtimeMs = this.now();
  }

  stat(path: string): RampStat {
    const n = this.get(this.abs(path), 'stat');
    const size = n.type === 'file' ? n.data.length : 0;
    return { size, mtimeMs: n.mtimeMs, isFile: () => n.type === 'file', isDirectory: () => n.type === 'dir' };
  }

  readdir(path: string): string[] {
    const p = this.abs(path);
    const n = this.get(p, 'scandir');
    if (n.type !== 'dir') throw fsError('ENOTDIR', 'scandir', p);
    return [...n.children].sort();
  }

  mkdir(path: string, opts: { recursive?: boolean } = {}): void {
    const p = this.abs(path);
    const n = this.nodes.get(p);
    if (n) {
      if (n.type === 'dir' && opts.recursive) return;
      throw fsError('EEXIST', 'mkdir', p);
    }
    if (opts.recursive && !this.nodes.has(dirname(p))) this.mkdir(dirname(p), opts);
    const parent = this.parentDir(p, 'mkdir');
    this.nodes.set(p, { type: 'dir', children: new Set(), mtimeMs: this.now() });
    parent.children.add(basename(p));
  }

  rename(from: string, to: string): void {
    const a = this.abs(from), b = this.abs(to);
    const src = this.get(a, 'rename');
    if (a === b) return;
    if (a === '/' || b.startsWith(`${a}/`)) throw fsError(a === '/' ? 'EPERM' : 'EINVAL', 'rename', a);
    const parent = this.parentDir(b, 'rename');
    const dest = this.nodes.get(b);
    if (dest && src.type === 'file' && dest.type === 'dir') throw fsError('EISDIR', 'rename', b);
    if (dest && src.type === 'dir' && dest.type === 'file') throw fsError('ENOTDIR', 'rename', b);
    if (dest?.type === 'dir' && dest.children.size) throw fsError('ENOTEMPTY', 'rename', b);
    const moved = [...this.nodes].filter(([k]) => k === a || k.startsWith(`${a}/`));
    for (const [k] of moved) this.nodes.delete(k);
    for (const [k, n] of moved) this.nodes.set(b + k.slice(a.length), n);
    (this.nodes.get(dirname(a)) as DirNode).children.delete(basename(a));
    parent.children.add(basename(b));
  }

  rm(path: string, opts: { recursive?: boolean; force?: boolean } = {}): void {
    const p = this.abs(path);
    if (p === '/') throw fsError('EPERM', 'rm', p);
    const n = this.nodes.get(p);
    if (!n) {
      if (opts.force) return;
      throw fsError('ENOENT', 'rm', p);
    }
    if (n.type === 'dir' && !opts.recursive) throw fsError('EISDIR', 'rm', p);
    for (const k of [...this.nodes.keys()]) if (k === p || k.startsWith(`${p}/`)) this.nodes.delete(k);
    (this.nodes.get(dirname(p)) as DirNode).children.delete(basename(p));
  }

  realpath(path: string): string {
    const p = this.abs(path);
    this.get(p, 'realpath');
    return p;
  }

  /** Every file and folder under `dir` (default: all), sorted by path; the folder itself is not listed. */
  list(dir = '/'): MemoryEntry[] {
    const d = this.abs(dir);
    this.get(d, 'scandir');
    const prefix = d === '/' ? '/' : `${d}/`;
    const out: MemoryEntry[] = [];
    for (const [path, n] of this.nodes) {
      if (!path.startsWith(prefix) || path === d) continue;
      out.push({ path, type: n.type, size: n.type === 'file' ? n.data.length : 0, mtimeMs: n.mtimeMs });
    }
    return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  }
}
