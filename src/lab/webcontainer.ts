/**
 * `LabRuntime` on a WebContainer (`@webcontainer/api`): booted with `coep: 'credentialless'` to
 * match the page's headers, `jsh` as the shell, `spawn` for checks (killed on timeout) and
 * `server-ready`/`port` for previews. The runtime itself is served by StackBlitz; where it cannot
 * be reached, `boot` times out and the lab falls back to the runner.
 */
import type { FileSystemTree, WebContainer, WebContainerProcess } from '@webcontainer/api';
import { LAB_BIN, type LabTree } from '../shared/lab-schema.ts';
import { DEFAULT_CHECK_TIMEOUT_MS, decodeBase64, Emitter, flattenTree, type BootProgress, type ExecResult, type LabRuntime, type LabShell, RuntimeEvents } from './runtime.ts';

/** The slice of `@webcontainer/api` this adapter uses (tests supply a fake). */
export interface WebContainerApi {
  boot(options: { coep: 'credentialless'; workdirName?: string }): Promise<WebContainer>;
}

export interface WebContainerOptions {
  treeUrl: string;
  api?: WebContainerApi;
  bootTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Converts our JSON tree (base64 for binaries) to the WebContainer's FileSystemTree. */
export function toFileSystemTree(tree: LabTree): FileSystemTree {
  const out: FileSystemTree = {};
  for (const [name, node] of Object.entries(tree)) {
    if ('directory' in node) out[name] = { directory: toFileSystemTree(node.directory) };
    else out[name] = { file: { contents: 'base64' in node.file ? decodeBase64(node.file.base64) : node.file.contents } };
  }
  return out;
}

async function readAll(stream: ReadableStream<string>, onChunk: (s: string) => void): Promise<void> {
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

export class WebContainerRuntime extends RuntimeEvents implements LabRuntime {
  readonly kind = 'webcontainer' as const;
  private opts: WebContainerOptions;
  private wc: WebContainer | null = null;
  private output = new Emitter<string>();
  private processes = new Set<WebContainerProcess>();
  private unsubscribe: (() => void)[] = [];

  constructor(opts: WebContainerOptions) {
    super();
    this.opts = opts;
  }

  private get container(): WebContainer {
    if (!this.wc) throw new Error('the WebContainer is not booted');
    return this.wc;
  }

  private env(): Record<string, string> {
    return { PATH: `${this.container.workdir}/${LAB_BIN}:${this.container.path}` };
  }

  async boot(onProgress: (p: BootProgress) => void, signal?: AbortSignal): Promise<void> {
    const api = this.opts.api ?? ((await import('@webcontainer/api')).WebContainer as unknown as WebContainerApi);
    onProgress({ message: 'Starting Node.js in your browser (WebContainer)…', fraction: 0.1 });
    const timeout = this.opts.bootTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const f = this.opts.fetch ?? globalThis.fetch.bind(globalThis);
    const treePromise = f(this.opts.treeUrl, { signal }).then((r) => {
      if (!r.ok) throw new Error(`could not load the lab's files (${r.status})`);
      return r.json() as Promise<LabTree>;
    });
    this.wc = await Promise.race([
      api.boot({ coep: 'credentialless', workdirName: 'lab' }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the WebContainer did not start within ${timeout / 1000} s`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
    onProgress({ message: 'Copying the lab files…', fraction: 0.6 });
    await this.wc.mount(toFileSystemTree(await treePromise));
    this.unsubscribe.push(
      this.wc.on('port', (port, type, url) => {
        this.serverEvent({ port, type, url });
      }),
      // server-ready fires once a server answers; announce it if `port` has not already.
      this.wc.on('server-ready', (port, url) => {
        this.serverEvent({ port, type: 'open', url });
      }),
      this.wc.on('error', (e) => this.closes.emit(e.message)),
    );
    onProgress({ message: 'Ready', fraction: 1 });
  }

  async mount(tree: LabTree): Promise<void> {
    for (const [path, contents] of flattenTree(tree)) await this.writeFile(path, contents);
  }

  async shell(size: { cols: number; rows: number }, onOutput: (data: string) => void): Promise<LabShell> {
    const proc = await this.container.spawn('jsh', { terminal: size, env: this.env() });
    this.processes.add(proc);
    this.output.on(onOutput);
    void readAll(proc.output, (s) => this.output.emit(s));
    const writer = proc.input.getWriter();
    return {
      write: (data) => void writer.write(data),
      resize: (cols, rows) => proc.resize({ cols, rows }),
    };
  }

  async exec(command: string, options: { timeoutMs?: number; background?: boolean } = {}): Promise<ExecResult> {
    const proc = await this.container.spawn('jsh', ['-c', command], { env: this.env() });
    this.processes.add(proc);
    if (options.background) {
      void readAll(proc.output, (s) => this.output.emit(s));
      void proc.exit.then(() => this.processes.delete(proc));
      return { exitCode: null, output: '', timedOut: false };
    }
    let output = '';
    const reading = readAll(proc.output, (s) => (output += s));
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exitCode = await Promise.race([
      proc.exit,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => {
          timedOut = true;
          proc.kill();
          resolve(null);
        }, options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.processes.delete(proc);
    await Promise.race([reading, new Promise((r) => setTimeout(r, 100))]);
    return { exitCode, output, timedOut };
  }

  async readFile(path: string): Promise<Uint8Array> {
    return this.container.fs.readFile(path);
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const dir = path.split('/').slice(0, -1).join('/');
    if (dir) await this.container.fs.mkdir(dir, { recursive: true });
    await this.container.fs.writeFile(path, data);
  }

  async listFiles(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string) => {
      const entries = await this.container.fs.readdir(dir || '.', { withFileTypes: true });
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name === 'node_modules' || e.name === '.git') continue;
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(rel);
        else if (e.isFile()) out.push(rel);
      }
    };
    await walk('');
    return out;
  }

  async teardown(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const p of this.processes) p.kill();
    this.processes.clear();
    const wc = this.wc;
    this.wc = null;
    wc?.teardown();
  }
}
