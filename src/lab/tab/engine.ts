/**
 * The in-tab lab's engine: one filesystem (a `MemoryFs`), a simulated bash (just-bash) with
 * `ramp`, `node`, job control and `stty` as commands, and the virtual network its servers listen
 * on. It runs inside a Worker (`worker.ts`), so a runaway command can be stopped by ending the
 * Worker; tests run it in-process. It knows nothing of terminals: lines in, text out.
 */
import { Bash, defineCommand, type CustomCommand } from 'just-bash';
import { MemoryFs } from '../../../labs/ramp/src/memory-fs.ts';
import { DropConnection, type RampIO } from '../../../labs/ramp/src/host.ts';
import { isBackground, stripBackground, type ExecResult } from '../runtime.ts';
import { BashFs, resolvePath } from './bash-fs.ts';
import { JobTable } from './jobs.ts';
import { NetError, networkFetch, VirtualNetwork } from './network.ts';

export const LAB_ROOT = '/home/lab';
const BASE_ENV = { HOME: LAB_ROOT, PATH: '/usr/bin:/bin', TERM: 'xterm-256color', LANG: 'C.UTF-8', USER: 'lab' };

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandContext {
  cwd: string;
  env: Record<string, string>;
  stdin: Uint8Array;
  signal: AbortSignal | undefined;
}

/** Runs `node …` (in the browser: a module in its own Worker). Absent where there is no such host. */
export type NodeRunner = (args: string[], ctx: CommandContext, engine: Engine) => Promise<CommandResult>;

export interface EngineOptions {
  /** Text for the terminal that does not come back as a command's result (a server's banner, a job's end). */
  onTerminal?: (text: string) => void;
  onServer?: (port: number, open: boolean) => void;
  runNode?: NodeRunner;
}

function bytesOfLatin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** A `MemoryFs` that remembers which paths changed, so the page can keep a copy of the lab's files. */
class TrackedFs extends MemoryFs {
  dirty = new Set<string>();
  override writeFile(path: string, data: string | Uint8Array, opts?: { exclusive?: boolean }): void {
    super.writeFile(path, data, opts);
    this.dirty.add(path);
  }
  override appendFile(path: string, data: string | Uint8Array): void {
    super.appendFile(path, data);
    this.dirty.add(path);
  }
  override rename(from: string, to: string): void {
    const moved = this.stat(from).isDirectory() ? this.under(from) : [from];
    super.rename(from, to);
    for (const p of moved) {
      this.dirty.add(p);
      this.dirty.add(to + p.slice(from.length));
    }
  }
  override rm(path: string, opts?: { recursive?: boolean; force?: boolean }): void {
    const gone = this.exists(path) && this.stat(path).isDirectory() ? this.under(path) : [path];
    super.rm(path, opts);
    for (const p of gone) this.dirty.add(p);
  }
  private exists(path: string): boolean {
    try {
      this.stat(path);
      return true;
    } catch {
      return false;
    }
  }
  /** Every file below a folder. */
  private under(dir: string): string[] {
    const out: string[] = [];
    for (const name of this.readdir(dir)) {
      const p = `${dir}/${name}`;
      if (this.stat(p).isDirectory()) out.push(...this.under(p));
      else out.push(p);
    }
    return out;
  }
}

type RampCore = typeof import('../../../labs/ramp/src/core.ts');
let rampCore: Promise<RampCore> | null = null;
/** ramp's code, loaded apart from the shell's so the prompt does not wait for it (`preload` after boot). */
export function loadRamp(): Promise<RampCore> {
  return (rampCore ??= import('../../../labs/ramp/src/core.ts'));
}

export class Engine {
  readonly fs = new TrackedFs();
  readonly net = new VirtualNetwork();
  readonly jobs = new JobTable();
  readonly bash: Bash;
  private opts: EngineOptions;
  /** The interactive shell's state, carried from one line to the next. */
  private env: Record<string, string> = { ...BASE_ENV, PWD: LAB_ROOT };
  private foreground: AbortController | null = null;
  size = { cols: 80, rows: 24 };

  constructor(files: Iterable<[string, string | Uint8Array]>, opts: EngineOptions = {}) {
    this.opts = opts;
    this.fs.mkdir(LAB_ROOT, { recursive: true });
    this.mount(files);
    this.net.onChange((port, open) => opts.onServer?.(port, open));
    this.bash = new Bash({
      fs: new BashFs(this.fs),
      cwd: LAB_ROOT,
      env: { ...BASE_ENV },
      customCommands: this.commands(),
      fetch: (url, init) => this.fetch(url, init),
      // Lab commands may run for minutes (a server in the foreground); Ctrl-C and the check timeout stop them.
      executionLimits: { maxExecutionTimeMs: 24 * 3600_000 },
      // Its guard against scripts escaping to host globals would block ramp's own servers (timers,
      // performance.now) when curl calls them in-process; the boundary here is the learner's own tab.
      defenseInDepth: false,
    });
  }

  get cwd(): string {
    return this.env.PWD ?? LAB_ROOT;
  }

  /** Writes files (paths relative to the lab) into the filesystem. */
  mount(files: Iterable<[string, string | Uint8Array]>): void {
    for (const [path, data] of files) this.writeFile(path, data);
  }

  path(rel: string): string {
    return resolvePath(LAB_ROOT, rel);
  }

  writeFile(rel: string, data: string | Uint8Array): void {
    const abs = this.path(rel);
    this.fs.mkdir(abs.slice(0, abs.lastIndexOf('/')) || '/', { recursive: true });
    this.fs.writeFile(abs, data);
  }

  readFile(rel: string): Uint8Array {
    return this.fs.readFile(this.path(rel));
  }

  /** The lab's files, relative to its folder, sorted; node_modules and .git left out. */
  listFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string, prefix: string) => {
      for (const name of this.fs.readdir(dir).sort()) {
        if (name === 'node_modules' || name === '.git') continue;
        const abs = `${dir}/${name}`;
        if (this.fs.stat(abs).isDirectory()) walk(abs, `${prefix}${name}/`);
        else out.push(prefix + name);
      }
    };
    walk(LAB_ROOT, '');
    return out;
  }

  /** Files changed since the last call, relative to the lab: [path, bytes] or [path, null] when removed. */
  changes(): [string, Uint8Array | null][] {
    const out: [string, Uint8Array | null][] = [];
    for (const abs of this.fs.dirty) {
      if (!abs.startsWith(`${LAB_ROOT}/`)) continue;
      let data: Uint8Array | null = null;
      try {
        if (this.fs.stat(abs).isFile()) data = this.fs.readFile(abs);
      } catch {
        data = null;
      }
      out.push([abs.slice(LAB_ROOT.length + 1), data]);
    }
    this.fs.dirty.clear();
    return out;
  }

  /** One line typed at the prompt. Resolves when the prompt may come back. */
  async line(text: string): Promise<CommandResult> {
    if (isBackground(text)) return this.background(stripBackground(text));
    const controller = new AbortController();
    this.foreground = controller;
    try {
      const r = await this.bash.exec(text, { env: this.env, replaceEnv: true, cwd: this.cwd, signal: controller.signal });
      if (r.env && !controller.signal.aborted) this.env = { ...r.env } as Record<string, string>;
      return { stdout: r.stdout, stderr: r.stderr, exitCode: controller.signal.aborted ? 130 : r.exitCode };
    } finally {
      this.foreground = null;
    }
  }

  /** Ctrl-C: stops the command in the foreground. Returns false when nothing was running. */
  interrupt(): boolean {
    if (!this.foreground) return false;
    this.foreground.abort();
    return true;
  }

  private background(command: string): CommandResult {
    const job = this.jobs.start(command);
    void this.bash.exec(command, { env: this.env, replaceEnv: true, cwd: this.cwd, signal: job.controller.signal }).then(
      (r) => this.jobEnded(job, r.stdout + r.stderr, job.controller.signal.aborted ? 143 : r.exitCode),
      (e: Error) => this.jobEnded(job, `${e.message}\n`, 1),
    );
    return { stdout: `[${job.id}] ${job.pid}\n`, stderr: '', exitCode: 0 };
  }

  private jobEnded(job: ReturnType<JobTable['start']>, output: string, code: number) {
    const line = this.jobs.finish(job, code);
    this.opts.onTerminal?.(`${output}${line}\n`);
  }

  /** A command for a lab check or a solution: from the lab's folder, with a fresh environment. */
  async exec(command: string, timeoutMs: number): Promise<ExecResult> {
    if (isBackground(command)) {
      const r = this.background(stripBackground(command));
      return { exitCode: null, output: r.stdout, timedOut: false };
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const r = await this.bash.exec(command, { env: { ...BASE_ENV, PWD: LAB_ROOT }, replaceEnv: true, cwd: LAB_ROOT, signal: controller.signal });
      return { exitCode: timedOut ? null : r.exitCode, output: r.stdout + r.stderr, timedOut };
    } finally {
      clearTimeout(timer);
    }
  }

  /** File names for Tab completion of `word` (relative to the shell's folder). */
  complete(word: string): string[] {
    const slash = word.lastIndexOf('/');
    const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
    const base = word.slice(slash + 1);
    try {
      const dir = resolvePath(this.cwd, dirPart || '.');
      return this.fs
        .readdir(dir)
        .filter((n) => n.startsWith(base) && (base.startsWith('.') || !n.startsWith('.')))
        .map((n) => dirPart + n + (this.fs.stat(`${dir === '/' ? '' : dir}/${n}`).isDirectory() ? '/' : ''));
    } catch {
      return [];
    }
  }

  private async fetch(url: string, init: { method?: string; headers?: Headers | Record<string, string>; body?: string } = {}) {
    const headers = init.headers instanceof Headers ? Object.fromEntries(init.headers.entries()) : (init.headers ?? {});
    try {
      return await this.net.request(url, { method: init.method, headers, body: init.body ?? null });
    } catch (e) {
      if (e instanceof DropConnection) throw new NetError('Empty reply from server', 'ECONNRESET');
      throw e;
    }
  }

  private commands(): CustomCommand[] {
    const list: CustomCommand[] = [
      defineCommand('ramp', (args, ctx) =>
        this.ramp(args, { cwd: ctx.cwd, env: Object.fromEntries(ctx.env) as Record<string, string>, stdin: bytesOfLatin1(String(ctx.stdin ?? '')), signal: ctx.signal }),
      ),
      defineCommand('stty', async (args) => {
        if (args[0] === 'size') return { stdout: `${this.size.rows} ${this.size.cols}\n`, stderr: '', exitCode: 0 };
        return { stdout: '', stderr: '', exitCode: 0 };
      }),
      ...this.jobs.commands(),
    ];
    const runNode = this.opts.runNode;
    list.push(
      defineCommand('node', async (args, ctx) => {
        const c: CommandContext = { cwd: ctx.cwd, env: Object.fromEntries(ctx.env) as Record<string, string>, stdin: bytesOfLatin1(String(ctx.stdin ?? '')), signal: ctx.signal };
        if (!runNode) return { stdout: '', stderr: 'node: not available in this runtime\n', exitCode: 127 };
        return runNode(args, c, this);
      }),
    );
    return list;
  }

  /**
   * `ramp` on the engine's filesystem and network. Its output comes back as the command's result,
   * so `>` and pipes work; `serve` writes to the terminal as it goes, since it runs until stopped.
   */
  async ramp(args: string[], ctx: CommandContext): Promise<CommandResult> {
    let stdout = '';
    let stderr = '';
    const decoder = new TextDecoder();
    const text = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? chunk : decoder.decode(chunk));
    const live = args[0] === 'serve';
    const net = this.net.scoped();
    const io: RampIO = {
      fs: this.fs,
      cwd: ctx.cwd,
      env: ctx.env,
      stdout: { isTTY: false, write: (c) => (live ? this.opts.onTerminal?.(text(c)) : (stdout += text(c))) },
      stderr: { isTTY: false, write: (c) => (live ? this.opts.onTerminal?.(text(c)) : (stderr += text(c))) },
      stdin: () => ctx.stdin,
      net,
      fetch: networkFetch(this.net),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    try {
      const exitCode = await (await loadRamp()).run(args, io);
      return { stdout, stderr, exitCode };
    } finally {
      await net.closeAll();
    }
  }

  /** Text for the terminal from a command still running (a server's output). */
  terminal(text: string): void {
    if (text) this.opts.onTerminal?.(text);
  }

  /** Stops every job and server (the runtime is being torn down). */
  stop(): void {
    this.foreground?.abort();
    this.jobs.killAll();
  }
}
