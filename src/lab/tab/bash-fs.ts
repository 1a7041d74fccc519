/**
 * just-bash's filesystem interface over ramp's synchronous `RampFs` (a `MemoryFs` in the tab), so
 * the shell, `ramp` and the editor share one filesystem and a file written by one is there for the
 * others at once, byte for byte.
 */
import type { IFileSystem, FsStat } from 'just-bash';
import type { RampFs } from '../../../labs/ramp/src/host.ts';

type Encoding = string | { encoding?: string | null } | undefined;

export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export function resolvePath(base: string, path: string): string {
  return normalizePath(path.startsWith('/') ? path : `${base}/${path}`);
}

function encodingOf(opts: Encoding): string {
  const e = typeof opts === 'string' ? opts : opts?.encoding;
  return e ?? 'utf8';
}

function decode(bytes: Uint8Array, encoding: string): string {
  if (encoding === 'binary' || encoding === 'latin1') {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return s;
  }
  return new TextDecoder().decode(bytes);
}

function encode(content: string | Uint8Array, opts: Encoding): Uint8Array {
  if (typeof content !== 'string') return content;
  const e = encodingOf(opts);
  if (e === 'binary' || e === 'latin1') return Uint8Array.from(content, (c) => c.charCodeAt(0) & 0xff);
  return new TextEncoder().encode(content);
}

function notSupported(what: string): Error {
  return Object.assign(new Error(`${what} is not supported in the in-tab lab`), { code: 'ENOSYS' });
}

/** Always empty; what is written to it is dropped. */
const DEV_NULL = '/dev/null';

export class BashFs implements IFileSystem {
  private fs: RampFs;
  private modes = new Map<string, number>();
  constructor(fs: RampFs) {
    this.fs = fs;
    for (const dir of ['/dev', '/tmp']) fs.mkdir(dir, { recursive: true });
    fs.writeFile(DEV_NULL, '');
  }

  async readFile(path: string, options?: Encoding): Promise<string> {
    return decode(this.fs.readFile(normalizePath(path)), encodingOf(options));
  }
  async readFileBuffer(path: string): Promise<Uint8Array> {
    return this.fs.readFile(normalizePath(path));
  }
  async writeFile(path: string, content: string | Uint8Array, options?: Encoding): Promise<void> {
    const p = normalizePath(path);
    if (p !== DEV_NULL) this.fs.writeFile(p, encode(content, options));
  }
  async appendFile(path: string, content: string | Uint8Array, options?: Encoding): Promise<void> {
    const p = normalizePath(path);
    if (p !== DEV_NULL) this.fs.appendFile(p, encode(content, options));
  }
  async exists(path: string): Promise<boolean> {
    try {
      this.fs.stat(normalizePath(path));
      return true;
    } catch {
      return false;
    }
  }
  async stat(path: string): Promise<FsStat> {
    const p = normalizePath(path);
    const s = this.fs.stat(p);
    const dir = s.isDirectory();
    // No links here: a file's path is its identity (cp and mv compare it to refuse copying a file onto itself).
    return { isFile: s.isFile(), isDirectory: dir, isSymbolicLink: false, mode: this.modes.get(p) ?? (dir ? 0o755 : 0o644), size: s.size, mtime: new Date(s.mtimeMs), identity: p };
  }
  lstat(path: string): Promise<FsStat> {
    return this.stat(path);
  }
  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    this.fs.mkdir(normalizePath(path), { recursive: !!options?.recursive });
  }
  async readdir(path: string): Promise<string[]> {
    return this.fs.readdir(normalizePath(path)).sort();
  }
  async readdirWithFileTypes(path: string) {
    const dir = normalizePath(path);
    return this.fs.readdir(dir).sort().map((name) => {
      const s = this.fs.stat(`${dir === '/' ? '' : dir}/${name}`);
      return { name, isFile: s.isFile(), isDirectory: s.isDirectory(), isSymbolicLink: false };
    });
  }
  async rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    this.fs.rm(normalizePath(path), { recursive: !!options?.recursive, force: !!options?.force });
  }
  async cp(src: string, dest: string, options?: { recursive?: boolean }): Promise<void> {
    const from = normalizePath(src);
    const to = normalizePath(dest);
    const s = this.fs.stat(from);
    if (!s.isDirectory()) return this.fs.writeFile(to, this.fs.readFile(from));
    if (!options?.recursive) throw Object.assign(new Error(`cp: -r not specified; omitting directory '${src}'`), { code: 'EISDIR' });
    this.fs.mkdir(to, { recursive: true });
    for (const name of this.fs.readdir(from)) await this.cp(`${from}/${name}`, `${to}/${name}`, options);
  }
  async mv(src: string, dest: string): Promise<void> {
    this.fs.rename(normalizePath(src), normalizePath(dest));
  }
  resolvePath(base: string, path: string): string {
    return resolvePath(base, path);
  }
  getAllPaths(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of this.fs.readdir(dir)) {
        const p = `${dir === '/' ? '' : dir}/${name}`;
        out.push(p);
        if (this.fs.stat(p).isDirectory()) walk(p);
      }
    };
    walk('/');
    return out;
  }
  async chmod(path: string, mode: number): Promise<void> {
    const p = normalizePath(path);
    this.fs.stat(p);
    this.modes.set(p, mode);
  }
  async symlink(): Promise<void> {
    throw notSupported('ln -s');
  }
  async link(existingPath: string, newPath: string): Promise<void> {
    this.fs.writeFile(normalizePath(newPath), this.fs.readFile(normalizePath(existingPath)));
  }
  async readlink(path: string): Promise<string> {
    throw Object.assign(new Error(`readlink: ${path}: not a symbolic link`), { code: 'EINVAL' });
  }
  async realpath(path: string): Promise<string> {
    return this.fs.realpath(normalizePath(path));
  }
  async utimes(path: string): Promise<void> {
    this.fs.stat(normalizePath(path));
  }
}
