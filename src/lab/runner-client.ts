/**
 * `LabRuntime` over the Onramp lab runner: one HTTP call opens a session, then one WebSocket
 * carries the terminal, commands, files and server announcements (`src/shared/lab-protocol.ts`).
 * Works in the browser and in Node (tests inject a WebSocket factory that sets an Origin).
 */
import type { ClientMessage, CreateSessionResponse, ServerMessage } from '../shared/lab-protocol.ts';
import type { LabTree } from '../shared/lab-schema.ts';
import { labMark } from './timing.ts';
import {
  DEFAULT_CHECK_TIMEOUT_MS,
  decodeBase64,
  Emitter,
  encodeBase64,
  flattenTree,
  type BootProgress,
  type ExecResult,
  type LabRuntime,
  type LabShell,
  type ServerEvent,
  RuntimeEvents,
} from './runtime.ts';

/** The part of the WebSocket API this client uses (browser WebSocket and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void): void;
}

export interface RunnerOptions {
  lab: string;
  /** Origin of the Onramp service, e.g. `http://127.0.0.1:4321`; defaults to the page's. */
  baseUrl?: string;
  createSocket?: (url: string) => SocketLike;
  fetch?: typeof fetch;
  /** Initial terminal size (the pty starts with it). */
  cols?: number;
  rows?: number;
}

export class RunnerUnavailable extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

type Pending = { resolve: (msg: ServerMessage) => void; reject: (e: Error) => void };

export class RunnerRuntime extends RuntimeEvents implements LabRuntime {
  readonly kind = 'runner' as const;
  session: CreateSessionResponse | null = null;
  private opts: RunnerOptions;
  private socket: SocketLike | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private output = new Emitter<string>();
  private buffered: string[] = [];
  private shellAttached = false;
  private closedByUs = false;

  constructor(opts: RunnerOptions) {
    super();
    this.opts = opts;
  }

  private base(): string {
    return this.opts.baseUrl ?? globalThis.location.origin;
  }

  async boot(onProgress: (p: BootProgress) => void, signal?: AbortSignal): Promise<void> {
    const f = this.opts.fetch ?? globalThis.fetch.bind(globalThis);
    onProgress({ message: 'Asking the lab runner for a session…', fraction: 0.2 });
    labMark('boot-requested');
    const res = await f(`${this.base()}/api/labs/${encodeURIComponent(this.opts.lab)}/sessions`, { method: 'POST', signal });
    if (!res.ok) {
      let message = `the lab runner answered ${res.status}`;
      try {
        message = ((await res.json()) as { error?: string }).error ?? message;
      } catch {
        /* not JSON */
      }
      throw new RunnerUnavailable(res.status, message);
    }
    this.session = (await res.json()) as CreateSessionResponse;
    labMark('session-created');
    onProgress({ message: 'Connecting the terminal…', fraction: 0.6 });
    const wsUrl = new URL(this.session.ws, this.base().replace(/^http/, 'ws'));
    wsUrl.searchParams.set('cols', String(this.opts.cols ?? 80));
    wsUrl.searchParams.set('rows', String(this.opts.rows ?? 24));
    const socket = (this.opts.createSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike))(wsUrl.href);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      socket.addEventListener('message', (event: { data: unknown }) => {
        const msg = JSON.parse(String(event.data)) as ServerMessage;
        if (msg.t === 'ready' && !ready) {
          ready = true;
          resolve();
        }
        this.onMessage(msg);
      });
      socket.addEventListener('error', () => {
        if (!ready) reject(new RunnerUnavailable(0, 'the lab runner refused the terminal connection'));
      });
      socket.addEventListener('close', (event: { reason?: string }) => {
        if (!ready) reject(new RunnerUnavailable(0, 'the lab runner closed the terminal connection'));
        for (const p of this.pending.values()) p.reject(new Error('the lab session ended'));
        this.pending.clear();
        if (!this.closedByUs) this.closes.emit(event.reason || 'the lab session ended');
      });
      signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
    labMark('terminal-connected');
    onProgress({ message: 'Ready', fraction: 1 });
  }

  private onMessage(msg: ServerMessage) {
    switch (msg.t) {
      case 'output':
        if (this.shellAttached) this.output.emit(msg.data);
        else this.buffered.push(msg.data);
        return;
      case 'port': {
        const event: ServerEvent = { port: msg.port, type: msg.type, url: new URL(msg.url, this.base()).href };
        this.serverEvent(event);
        return;
      }
      case 'closing':
        this.closes.emit(msg.reason);
        return;
      case 'shell-exit':
        this.output.emit(`\r\n[the shell exited with code ${msg.code}; press Reset lab to start again]\r\n`);
        return;
      case 'ready':
        return;
      default: {
        const id = 'id' in msg ? msg.id : undefined;
        if (id === undefined) return;
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        if (msg.t === 'error') p.reject(new Error(msg.message));
        else p.resolve(msg);
      }
    }
  }

  private send(msg: ClientMessage): void {
    if (!this.socket || this.socket.readyState !== 1) throw new Error('the lab session is not connected');
    this.socket.send(JSON.stringify(msg));
  }

  private request<T extends ServerMessage>(make: (id: number) => ClientMessage): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: ServerMessage) => void, reject });
      try {
        this.send(make(id));
      } catch (error) {
        this.pending.delete(id);
        reject(error as Error);
      }
    });
  }

  async mount(tree: LabTree): Promise<void> {
    for (const [path, contents] of flattenTree(tree)) await this.writeFile(path, contents);
  }

  async shell(size: { cols: number; rows: number }, onOutput: (data: string) => void): Promise<LabShell> {
    this.output.on(onOutput);
    this.shellAttached = true;
    for (const chunk of this.buffered.splice(0)) onOutput(chunk);
    this.send({ t: 'resize', cols: size.cols, rows: size.rows });
    return {
      write: (data) => this.send({ t: 'input', data }),
      resize: (cols, rows) => this.send({ t: 'resize', cols, rows }),
    };
  }

  async exec(command: string, options: { timeoutMs?: number; background?: boolean } = {}): Promise<ExecResult> {
    const msg = await this.request<Extract<ServerMessage, { t: 'exec-result' }>>((id) => ({
      t: 'exec',
      id,
      command,
      timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
      background: options.background,
    }));
    return { exitCode: msg.exitCode, output: msg.output, timedOut: msg.timedOut };
  }

  async readFile(path: string): Promise<Uint8Array> {
    const msg = await this.request<Extract<ServerMessage, { t: 'file' }>>((id) => ({ t: 'read', id, path }));
    return decodeBase64(msg.base64);
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    await this.request((id) => ({ t: 'write', id, path, base64: encodeBase64(bytes) }));
  }

  async listFiles(): Promise<string[]> {
    const msg = await this.request<Extract<ServerMessage, { t: 'files' }>>((id) => ({ t: 'list', id }));
    return msg.files;
  }

  async teardown(): Promise<void> {
    this.closedByUs = true;
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.readyState >= 2) return;
    await new Promise<void>((resolve) => {
      socket.addEventListener('close', () => resolve());
      socket.close(1000, 'teardown');
      setTimeout(resolve, 3000);
    });
  }
}
