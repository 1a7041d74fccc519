/**
 * `LabRuntime` in the learner's own tab: no server, no licence. The engine (just-bash, ramp, the
 * virtual network) runs in a Worker; this side holds the line editor for the terminal, speaks the
 * protocol in `protocol.ts`, and answers the preview's requests (`preview.ts`). A command that does
 * not stop on Ctrl-C or its timeout is stopped by ending the Worker, which restarts with the lab's
 * files as they were after the last command.
 */
import type { LabTree } from '../../shared/lab-schema.ts';
import { DEFAULT_CHECK_TIMEOUT_MS, Emitter, flattenTree, type BootProgress, type ExecResult, type LabRuntime, type LabShell, RuntimeEvents, type ServerEvent } from '../runtime.ts';
import { labMark } from '../timing.ts';
import { LineEditor } from './line-editor.ts';
import type { EngineEvent, EngineReply, EngineRequest, HttpRequest, HttpResponse, LineResult, Port } from './protocol.ts';

export interface TabRuntimeOptions {
  treeUrl: string;
  /** Starts the engine and returns the port to it (a Worker in the browser, a MessageChannel in tests). */
  connect: () => Port & { terminate?: () => void };
  /** Where previews of the lab's servers live: `<previewBase><port>/`. */
  previewBase: string;
  fetch?: typeof fetch;
  /** Resolves when previews can be shown (the Service Worker is active); servers are announced after. */
  previewReady?: Promise<void>;
  /** Extra time a stuck command gets after Ctrl-C or its timeout before the Worker is ended. */
  graceMs?: number;
  /** Called once the runtime is torn down (the page stops answering its previews). */
  onTeardown?: () => void;
}

const toTerminal = (text: string) => text.replace(/\r?\n/g, '\r\n');

export class TabRuntime extends RuntimeEvents implements LabRuntime {
  readonly kind = 'tab' as const;
  private opts: TabRuntimeOptions;
  private port: (Port & { terminate?: () => void }) | null = null;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private terminalText = new Emitter<string>();
  private files: Map<string, string | Uint8Array> = new Map();

  constructor(opts: TabRuntimeOptions) {
    super();
    this.opts = opts;
  }

  private call<T>(req: EngineRequest): Promise<T> {
    const port = this.port;
    if (!port) return Promise.reject(new Error('the in-tab lab is not started'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ id, req });
    });
  }

  private onMessage(data: EngineReply | EngineEvent) {
    if ('event' in data) {
      if (data.event === 'terminal') this.terminalText.emit(data.text);
      else this.onServerChange(data.port, data.open);
      return;
    }
    const p = this.pending.get(data.id);
    if (!p) return;
    this.pending.delete(data.id);
    if (data.ok) p.resolve(data.value);
    else p.reject(new Error(data.error));
  }

  private onServerChange(port: number, open: boolean) {
    const event: ServerEvent = { port, type: open ? 'open' : 'close', url: `${this.opts.previewBase}${port}/` };
    const announce = () => this.serverEvent(event);
    // A preview shown before its Service Worker is active would go to the site and find nothing.
    if (this.opts.previewReady) void this.opts.previewReady.then(announce, announce);
    else announce();
  }

  private connect(): void {
    const port = this.opts.connect();
    port.onmessage = (e: MessageEvent) => this.onMessage(e.data as EngineReply | EngineEvent);
    this.port = port;
  }

  private async start(files: Map<string, string | Uint8Array>): Promise<void> {
    this.connect();
    await this.call({ op: 'boot', files: [...files] });
  }

  private booting: Promise<void> | null = null;

  /** Boots ahead of Start (on intent): `boot` then only waits for what is left. */
  preboot(): void {
    this.booting ??= this.load(() => {});
    this.booting.catch(() => {});
  }

  async boot(onProgress: (p: BootProgress) => void, signal?: AbortSignal): Promise<void> {
    onProgress({ message: 'Starting the lab in this tab…', fraction: 0.1 });
    labMark('boot-requested');
    // Started on intent and failed: try once more now.
    await (this.booting ?? this.load(onProgress, signal)).catch(() => {
      this.booting = null;
      return this.load(onProgress, signal);
    });
    labMark('session-created');
    onProgress({ message: 'Ready', fraction: 1 });
  }

  private async load(onProgress: (p: BootProgress) => void, signal?: AbortSignal): Promise<void> {
    this.port?.terminate?.();
    // The Worker loads and compiles its code while the lab's files download.
    this.connect();
    const res = await (this.opts.fetch ?? globalThis.fetch.bind(globalThis))(this.opts.treeUrl, { signal });
    if (!res.ok) throw new Error(`could not load the lab's files (${res.status})`);
    this.files = flattenTree((await res.json()) as LabTree);
    labMark('tree-loaded');
    onProgress({ message: 'Copying the lab files…', fraction: 0.5 });
    await this.call({ op: 'boot', files: [...this.files] });
  }

  /**
   * Ends a Worker stuck in a command and starts a new one with the files the lab had after its
   * last command (read back before ending it is impossible: the Worker is busy), so what was
   * saved is kept; servers and jobs stop.
   */
  private async restart(why: string): Promise<void> {
    const snapshot = this.files;
    this.port?.terminate?.();
    this.port = null;
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
    for (const port of [...this.openPorts.keys()]) this.onServerChange(port, false);
    await this.start(snapshot);
    this.terminalText.emit(`${why}: the lab's shell was restarted; background jobs stopped.\n`);
  }

  /** Keeps a copy of the lab's files after each command, for a restart. */
  private async remember(): Promise<void> {
    for (const [path, data] of await this.call<[string, Uint8Array | null][]>({ op: 'changes' })) {
      if (data) this.files.set(path, data);
      else this.files.delete(path);
    }
  }

  /** Runs `work`; when it has not settled `graceMs` after `deadline` resolves, ends the Worker. */
  private async guarded<T>(work: Promise<T>, deadline: Promise<void>, fallback: T, why: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = deadline.then(
      () =>
        new Promise<'stuck'>((resolve) => {
          timer = setTimeout(() => resolve('stuck'), this.opts.graceMs ?? 3000);
        }),
    );
    const winner = await Promise.race([work.catch((e: Error) => Promise.reject(e)), stuck]);
    clearTimeout(timer);
    if (winner !== 'stuck') return winner as T;
    await this.restart(why);
    return fallback;
  }

  async mount(tree: LabTree): Promise<void> {
    for (const [path, data] of flattenTree(tree)) await this.writeFile(path, data);
  }

  async shell(size: { cols: number; rows: number }, onOutput: (data: string) => void): Promise<LabShell> {
    await this.call({ op: 'resize', ...size });
    let cwd = '~';
    let interrupted: () => void = () => {};
    const editor: LineEditor = new LineEditor({
      write: onOutput,
      prompt: () => `\x1b[1;36mlab\x1b[0m:\x1b[1;34m${cwd}\x1b[0m$ `,
      complete: (word) => this.call<string[]>({ op: 'complete', word }).catch(() => []),
      onInterrupt: () => {
        onOutput('^C\r\n');
        void this.call({ op: 'interrupt' }).catch(() => {});
        interrupted();
      },
      onLine: (text) => {
        const deadline = new Promise<void>((resolve) => (interrupted = resolve));
        const line = this.call<LineResult>({ op: 'line', text });
        void this.guarded<LineResult | null>(line, deadline, null, 'The command did not stop on Ctrl-C')
          .then(async (r) => {
            if (r) {
              onOutput(toTerminal(r.output));
              cwd = r.cwd;
              await this.remember().catch(() => {});
            }
          })
          .catch((e: Error) => onOutput(toTerminal(`${e.message}\n`)))
          .finally(() => editor.done());
      },
    });
    this.terminalText.on((text) => editor.notice(toTerminal(text).replace(/\r\n$/, '')));
    editor.showPrompt();
    return {
      write: (data) => editor.feed(data),
      resize: (cols, rows) => void this.call({ op: 'resize', cols, rows }).catch(() => {}),
    };
  }

  async exec(command: string, options: { timeoutMs?: number; background?: boolean } = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const work = this.call<ExecResult>({ op: 'exec', command: options.background && !/&\s*$/.test(command) ? `${command} &` : command, timeoutMs });
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
    const r = await this.guarded<ExecResult>(work, deadline, { exitCode: null, output: '', timedOut: true }, `A command ran past its ${timeoutMs / 1000} s limit`);
    if (!options.background) await this.remember().catch(() => {});
    return options.background ? { exitCode: null, output: '', timedOut: false } : r;
  }

  async readFile(path: string): Promise<Uint8Array> {
    return this.call<Uint8Array>({ op: 'read', path });
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.call({ op: 'write', path, data });
    this.files.set(path, data);
  }

  listFiles(): Promise<string[]> {
    return this.call<string[]>({ op: 'list' });
  }

  /** One request to a server in the lab (what the preview's Service Worker forwards). */
  http(request: HttpRequest): Promise<HttpResponse> {
    return this.call<HttpResponse>({ op: 'http', request });
  }

  async teardown(): Promise<void> {
    await this.call({ op: 'stop' }).catch(() => {});
    this.port?.terminate?.();
    this.port = null;
    this.opts.onTeardown?.();
  }
}
