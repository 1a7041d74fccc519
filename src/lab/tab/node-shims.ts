/**
 * The Node.js built-ins a lab script may import, for the in-tab `node`: `fs` (and `fs/promises`)
 * over a copy of the lab's files, `process`, `path`, `url`, `util`, `os`, `timers/promises` and
 * asynchronous `child_process` (through the lab's shell). What has no meaning in a tab — sync child
 * processes, sockets — throws an error that says so.
 */
import { normalizePath, resolvePath } from './bash-fs.ts';

export class ExitSignal extends Error {
  code: number;
  constructor(code: number) {
    super(`process.exit(${code})`);
    this.code = code;
  }
}

export interface ShimHost {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  files: Map<string, Uint8Array>;
  changed: Set<string>;
  write(stream: 'stdout' | 'stderr', text: string): void;
  exit(code: number): never;
  exec(command: string, cwd: string): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** `node:http` (node-http.ts). */
  http: Record<string, unknown>;
}

function fsError(code: string, syscall: string, path: string): Error {
  const why: Record<string, string> = { ENOENT: 'no such file or directory', EISDIR: 'illegal operation on a directory', ENOTDIR: 'not a directory', EEXIST: 'file already exists' };
  return Object.assign(new Error(`${code}: ${why[code] ?? code}, ${syscall} '${path}'`), { code, syscall, path, errno: -2 });
}

const ASYNC_FORM = 'use the asynchronous form (execFile with a callback, or promisify(execFile))';
const unavailable = (what: string, instead = ASYNC_FORM) => () => {
  throw new Error(`${what} is not available in the in-tab lab: ${instead}`);
};

export function makeShims(host: ShimHost) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const abs = (p: string | URL) => resolvePath(host.cwd, p instanceof URL ? decodeURIComponent(p.pathname) : String(p));
  /** Folders made by the script (others exist because files are in them). */
  const dirs = new Set<string>(['/', '/tmp']);
  const isDir = (p: string) => dirs.has(p) || [...host.files.keys()].some((f) => f.startsWith(`${p}/`));
  const encodingOf = (o: unknown) => (typeof o === 'string' ? o : (o as { encoding?: string } | undefined)?.encoding);

  const fs = {
    existsSync: (p: string) => host.files.has(abs(p)) || isDir(abs(p)),
    readFileSync(p: string, o?: unknown): string | Uint8Array {
      const path = abs(p);
      const data = host.files.get(path);
      if (!data) throw fsError(isDir(path) ? 'EISDIR' : 'ENOENT', 'open', String(p));
      return encodingOf(o) ? dec.decode(data) : data;
    },
    writeFileSync(p: string, data: string | Uint8Array) {
      const path = abs(p);
      host.files.set(path, typeof data === 'string' ? enc.encode(data) : data);
      host.changed.add(path);
    },
    appendFileSync(p: string, data: string | Uint8Array) {
      const path = abs(p);
      const add = typeof data === 'string' ? enc.encode(data) : data;
      const old = host.files.get(path) ?? new Uint8Array();
      const next = new Uint8Array(old.length + add.length);
      next.set(old);
      next.set(add, old.length);
      host.files.set(path, next);
      host.changed.add(path);
    },
    mkdirSync: (p: string) => void dirs.add(abs(p)),
    mkdtempSync(prefix: string): string {
      const path = abs(`${prefix}${Math.random().toString(36).slice(2, 8)}`);
      dirs.add(path);
      return path;
    },
    cpSync(from: string, to: string, o?: { recursive?: boolean }) {
      const a = abs(from);
      const b = abs(to);
      const data = host.files.get(a);
      if (data) return fs.writeFileSync(b, data);
      if (!isDir(a)) throw fsError('ENOENT', 'cp', String(from));
      if (!o?.recursive) throw fsError('EISDIR', 'cp', String(from));
      dirs.add(b);
      for (const [f, d] of [...host.files]) if (f.startsWith(`${a}/`)) fs.writeFileSync(b + f.slice(a.length), d);
    },
    readdirSync(p: string): string[] {
      const dir = abs(p);
      if (!isDir(dir)) throw fsError('ENOENT', 'scandir', String(p));
      const names = new Set<string>();
      for (const f of [...host.files.keys(), ...dirs]) if (f.startsWith(`${dir}/`)) names.add(f.slice(dir.length + 1).split('/')[0]!);
      return [...names].sort();
    },
    statSync(p: string) {
      const path = abs(p);
      const data = host.files.get(path);
      if (!data && !isDir(path)) throw fsError('ENOENT', 'stat', String(p));
      return { size: data?.length ?? 0, isFile: () => !!data, isDirectory: () => !data, mtimeMs: Date.now(), mtime: new Date() };
    },
    unlinkSync(p: string) {
      const path = abs(p);
      if (!host.files.delete(path)) throw fsError('ENOENT', 'unlink', String(p));
      host.changed.add(path);
    },
    rmSync(p: string, o?: { recursive?: boolean; force?: boolean }) {
      const path = abs(p);
      const gone = [...host.files.keys()].filter((f) => f === path || (o?.recursive && f.startsWith(`${path}/`)));
      if (!gone.length && !o?.force) throw fsError('ENOENT', 'rm', String(p));
      for (const f of gone) {
        host.files.delete(f);
        host.changed.add(f);
      }
      for (const d of [...dirs]) if (d === path || (o?.recursive && d.startsWith(`${path}/`))) dirs.delete(d);
    },
    renameSync(from: string, to: string) {
      const a = abs(from);
      const data = host.files.get(a);
      if (!data) throw fsError('ENOENT', 'rename', String(from));
      host.files.delete(a);
      host.changed.add(a);
      fs.writeFileSync(to, data);
    },
  };
  const promises = Object.fromEntries(
    Object.entries({ readFile: fs.readFileSync, writeFile: fs.writeFileSync, appendFile: fs.appendFileSync, mkdir: fs.mkdirSync, readdir: fs.readdirSync, stat: fs.statSync, unlink: fs.unlinkSync, rm: fs.rmSync, rename: fs.renameSync }).map(([k, f]) => [k, async (...a: unknown[]) => (f as (...x: unknown[]) => unknown)(...a)]),
  );
  const access = async (p: string) => {
    if (!fs.existsSync(p)) throw fsError('ENOENT', 'access', p);
  };

  const process = {
    argv: host.argv,
    env: host.env,
    execPath: '/usr/bin/node',
    platform: 'linux',
    version: 'v22.12.0',
    versions: { node: '22.12.0' },
    exitCode: undefined as number | undefined,
    cwd: () => host.cwd,
    exit: (code?: number) => host.exit(code ?? process.exitCode ?? 0),
    stdout: { write: (s: string | Uint8Array) => (host.write('stdout', typeof s === 'string' ? s : dec.decode(s)), true), isTTY: false },
    stderr: { write: (s: string | Uint8Array) => (host.write('stderr', typeof s === 'string' ? s : dec.decode(s)), true), isTTY: false },
    on: () => process,
    once: () => process,
    off: () => process,
    nextTick: (fn: (...a: unknown[]) => void, ...a: unknown[]) => queueMicrotask(() => fn(...a)),
    hrtime: Object.assign((prev?: [number, number]) => {
      const ns = BigInt(Math.round(performance.now() * 1e6));
      const t: [number, number] = [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
      return prev ? [t[0] - prev[0], t[1] - prev[1]] : t;
    }, { bigint: () => BigInt(Math.round(performance.now() * 1e6)) }),
    memoryUsage: () => ({ rss: 0, heapUsed: 0, heapTotal: 0, external: 0 }),
  };

  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  type Callback = (err: (Error & { code?: number; stdout?: string; stderr?: string }) | null, stdout: string, stderr: string) => void;
  const runShell = (command: string, opts: { cwd?: string } | undefined, cb?: Callback) => {
    const done = host.exec(command, opts?.cwd ? abs(opts.cwd) : host.cwd).then((r) => {
      const err = r.exitCode === 0 ? null : Object.assign(new Error(`Command failed: ${command}\n${r.stderr}`), { code: r.exitCode, stdout: r.stdout, stderr: r.stderr });
      cb?.(err, r.stdout, r.stderr);
      return { err, ...r };
    });
    return { pid: 0, kill: () => false, done };
  };
  const execFile = (file: string, args?: string[] | unknown, opts?: unknown, cb?: Callback) => {
    const list = Array.isArray(args) ? (args as string[]) : [];
    const callback = [args, opts, cb].find((x) => typeof x === 'function') as Callback | undefined;
    const options = [args, opts].find((x) => x && typeof x === 'object' && !Array.isArray(x)) as { cwd?: string } | undefined;
    const cmd = [file === process.execPath ? 'node' : file, ...list].map(quote).join(' ');
    return runShell(cmd, options, callback);
  };
  const exec = (command: string, opts?: unknown, cb?: Callback) => runShell(command, typeof opts === 'object' ? (opts as { cwd?: string }) : undefined, (typeof opts === 'function' ? opts : cb) as Callback | undefined);
  const promisified = (f: typeof exec | typeof execFile) => (...a: unknown[]) =>
    (f as (...x: unknown[]) => { done: Promise<{ err: Error | null; stdout: string; stderr: string }> })(...a).done.then((r) => {
      if (r.err) throw r.err;
      return { stdout: r.stdout, stderr: r.stderr };
    });
  const custom = Symbol.for('nodejs.util.promisify.custom');
  Object.assign(exec, { [custom]: promisified(exec) });
  Object.assign(execFile, { [custom]: promisified(execFile) });
  const childProcess = { exec, execFile, spawnSync: unavailable('spawnSync'), execSync: unavailable('execSync'), execFileSync: unavailable('execFileSync'), spawn: unavailable('spawn (streams)'), fork: unavailable('fork') };

  const format = (...args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
  const inspect = (v: unknown): string => {
    if (v instanceof Error) return v.stack ?? `${v.name}: ${v.message}`;
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function' || typeof v === 'symbol' || v === undefined) return String(v);
    try {
      return JSON.stringify(v, null, 2) ?? String(v);
    } catch {
      return String(v);
    }
  };
  const promisify = (f: ((...a: unknown[]) => unknown) & { [custom]?: unknown }) =>
    f[custom] ?? ((...a: unknown[]) => new Promise((resolve, reject) => f(...a, (err: Error | null, value: unknown) => (err ? reject(err) : resolve(value)))));
  const util = { format, inspect, promisify, types: {}, TextEncoder, TextDecoder };

  const path = {
    sep: '/',
    delimiter: ':',
    join: (...p: string[]) => normalizePath(p.join('/')).replace(/^\//, p[0]?.startsWith('/') ? '/' : '') || '.',
    resolve: (...p: string[]) => p.reduce((acc, x) => resolvePath(acc, x), host.cwd),
    dirname: (p: string) => p.replace(/\/[^/]*\/?$/, '') || (p.startsWith('/') ? '/' : '.'),
    basename: (p: string, ext?: string) => {
      const b = p.replace(/\/+$/, '').split('/').pop() ?? '';
      return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b;
    },
    extname: (p: string) => /(\.[^./]+)$/.exec(p.split('/').pop() ?? '')?.[1] ?? '',
    relative: (from: string, to: string) => {
      const a = resolvePath(host.cwd, from).split('/').filter(Boolean);
      const b = resolvePath(host.cwd, to).split('/').filter(Boolean);
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
    },
    isAbsolute: (p: string) => p.startsWith('/'),
    normalize: normalizePath,
  };
  const posix = { ...path };
  const url = { URL, URLSearchParams, fileURLToPath: (u: string | URL) => decodeURIComponent(new URL(String(u)).pathname), pathToFileURL: (p: string) => new URL(`file://${abs(p)}`) };
  const os = { EOL: '\n', platform: () => 'linux', tmpdir: () => '/tmp', homedir: () => host.env.HOME ?? '/home/lab', cpus: () => [{}], hostname: () => 'lab' };
  const timersPromises = { setTimeout: (ms: number, value?: unknown) => new Promise((r) => setTimeout(() => r(value), ms)), setImmediate: (value?: unknown) => new Promise((r) => setTimeout(() => r(value), 0)) };

  return {
    http: host.http,
    fs: { ...fs, promises: { ...promises, access } },
    'fs/promises': { ...promises, access },
    process,
    child_process: childProcess,
    util,
    path: { ...path, posix },
    url,
    os,
    'timers/promises': timersPromises,
    console: { log: (...a: unknown[]) => host.write('stdout', `${format(...a)}\n`), info: (...a: unknown[]) => host.write('stdout', `${format(...a)}\n`), error: (...a: unknown[]) => host.write('stderr', `${format(...a)}\n`), warn: (...a: unknown[]) => host.write('stderr', `${format(...a)}\n`), debug: () => {} },
  };
}

export type Shims = ReturnType<typeof makeShims>;
export const BUILTINS = ['fs', 'fs/promises', 'process', 'child_process', 'util', 'path', 'url', 'os', 'timers/promises', 'http'] as const;
