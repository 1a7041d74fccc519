/**
 * A fake `@webcontainer/api` for tests (the real runtime is served by StackBlitz and cannot boot
 * here): the API surface the adapter uses, backed by a temporary directory, bash for `jsh`, a
 * pseudo-terminal for interactive shells, and /proc polling for the `port` event.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pty from '@lydell/node-pty';
import type { FileSystemTree, WebContainer } from '@webcontainer/api';
import { killSession, listeningSockets, sessionPids, sessionPorts, SESSION_ENV } from '../../src/server/lab-runner/processes.ts';
import type { WebContainerApi } from '../../src/lab/webcontainer.ts';

type Listener = (...args: any[]) => void;

export class FakeWebContainer {
  static booted: FakeWebContainer | null = null;
  static bootOptions: unknown[] = [];
  readonly workdir: string;
  readonly path = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
  private root: string;
  private marker = randomBytes(6).toString('hex');
  private listeners = new Map<string, Set<Listener>>();
  private ports = new Set<number>();
  private timer: NodeJS.Timeout;
  private sids = new Set<number>();

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'fake-wc-'));
    this.workdir = join(this.root, 'lab');
    mkdirSync(this.workdir);
    this.timer = setInterval(() => this.pollPorts(), 150);
  }

  private pollPorts() {
    const now = sessionPorts(sessionPids(this.marker, this.sids), listeningSockets());
    for (const p of now) if (!this.ports.has(p)) (this.ports.add(p), this.emit('port', p, 'open', `http://127.0.0.1:${p}/`), this.emit('server-ready', p, `http://127.0.0.1:${p}/`));
    for (const p of [...this.ports]) if (!now.has(p)) (this.ports.delete(p), this.emit('port', p, 'close', `http://127.0.0.1:${p}/`));
  }

  private emit(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }

  on(event: string, listener: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  private full(path: string) {
    return join(this.workdir, path);
  }

  fs = {
    readFile: async (path: string, encoding?: string) => {
      const data = await readFile(this.full(path));
      return encoding ? data.toString(encoding as BufferEncoding) : new Uint8Array(data);
    },
    writeFile: async (path: string, data: string | Uint8Array) => writeFile(this.full(path), data),
    mkdir: async (path: string, options?: { recursive?: boolean }) => {
      await mkdir(this.full(path), options);
      return path;
    },
    readdir: async (path: string, options?: { withFileTypes?: boolean }) => readdir(this.full(path), options as { withFileTypes: true }),
  };

  async mount(tree: FileSystemTree, dir = this.workdir): Promise<void> {
    for (const [name, node] of Object.entries(tree)) {
      const full = join(dir, name);
      if ('directory' in node) {
        await mkdir(full, { recursive: true });
        await this.mount(node.directory, full);
      } else if ('contents' in node.file) {
        await writeFile(full, node.file.contents, { mode: 0o755 });
      }
    }
  }

  private env(extra: Record<string, string | number | boolean> = {}): Record<string, string> {
    const env: Record<string, string> = { HOME: this.workdir, TERM: 'xterm-256color', [SESSION_ENV]: this.marker, PATH: this.path };
    for (const [k, v] of Object.entries(extra)) env[k] = String(v);
    return env;
  }

  async spawn(command: string, argsOrOptions?: string[] | Record<string, any>, maybeOptions?: Record<string, any>) {
    const args = Array.isArray(argsOrOptions) ? argsOrOptions : [];
    const options = (Array.isArray(argsOrOptions) ? maybeOptions : argsOrOptions) ?? {};
    if (command !== 'jsh') throw new Error(`the fake only runs jsh, not ${command}`);
    const env = this.env(options.env);
    if (options.terminal) {
      const term = pty.spawn('bash', ['--noprofile', '--norc', '-i'], { cols: options.terminal.cols, rows: options.terminal.rows, cwd: this.workdir, env });
      this.sids.add(term.pid);
      let push: (s: string) => void = () => {};
      let end: () => void = () => {};
      const output = new ReadableStream<string>({
        start(controller) {
          push = (s) => controller.enqueue(s);
          end = () => controller.close();
        },
      });
      term.onData((d) => push(d));
      const exit = new Promise<number>((resolve) => term.onExit(({ exitCode }) => (end(), resolve(exitCode))));
      return { output, input: new WritableStream<string>({ write: (d) => term.write(d) }), exit, kill: () => term.kill(), resize: (d: { cols: number; rows: number }) => term.resize(d.cols, d.rows) };
    }
    const child = spawn('bash', ['--noprofile', '--norc', ...args], { cwd: this.workdir, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    if (child.pid) this.sids.add(child.pid);
    const output = new ReadableStream<string>({
      start(controller) {
        let open = 2;
        const done = () => --open === 0 && controller.close();
        child.stdout!.on('data', (c: Buffer) => controller.enqueue(c.toString()));
        child.stderr!.on('data', (c: Buffer) => controller.enqueue(c.toString()));
        child.stdout!.on('end', done);
        child.stderr!.on('end', done);
      },
    });
    const exit = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    return {
      output,
      input: new WritableStream<string>({ write: (d) => void child.stdin!.write(d) }),
      exit,
      kill: () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      },
      resize: () => {},
    };
  }

  teardown(): void {
    clearInterval(this.timer);
    FakeWebContainer.booted = null;
    void killSession(this.marker, this.sids).then(() => rmSync(this.root, { recursive: true, force: true }));
  }

  static api: WebContainerApi = {
    async boot(options) {
      if (FakeWebContainer.booted) throw new Error('Only a single WebContainer instance can be booted');
      FakeWebContainer.bootOptions.push(options);
      FakeWebContainer.booted = new FakeWebContainer();
      return FakeWebContainer.booted as unknown as WebContainer;
    },
  };
}
