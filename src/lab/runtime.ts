/**
 * The one interface the lab UI talks to. Three backends implement it: the learner's own tab
 * (`tab/runtime.ts`: a simulated shell in a Worker), a WebContainer (`webcontainer.ts`) and the
 * Onramp lab runner over a WebSocket (`runner-client.ts`).
 */
import type { LabTree } from '../shared/lab-schema.ts';

export type RuntimeKind = 'webcontainer' | 'runner' | 'tab';

/** How each runtime is named to the learner. */
export const RUNTIME_NAMES: Record<RuntimeKind, string> = { tab: 'The in-tab runtime', webcontainer: 'WebContainer', runner: 'The lab runner' };

export interface BootProgress {
  /** What is happening, in words for the learner. */
  message: string;
  /** 0..1 when known. */
  fraction?: number;
}

export interface LabShell {
  write(data: string): void;
  resize(cols: number, rows: number): void;
}

export interface ExecResult {
  /** null when the command was killed (timeout) or could not start. */
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

export interface ServerEvent {
  port: number;
  type: 'open' | 'close';
  /** A URL the lab page can load in an iframe. */
  url: string;
}

export interface LabRuntime {
  readonly kind: RuntimeKind;
  /** Starts the runtime with the lab's starter files in place. */
  boot(onProgress: (p: BootProgress) => void, signal?: AbortSignal): Promise<void>;
  /** Writes a tree of files (e.g. a solution or restored edits) into the lab. */
  mount(tree: LabTree): Promise<void>;
  /** The interactive shell, sized to the terminal. Output goes to `onOutput`. */
  shell(size: { cols: number; rows: number }, onOutput: (data: string) => void): Promise<LabShell>;
  /** Runs a command in the lab's directory. `background` starts it and returns without waiting. */
  exec(command: string, options?: { timeoutMs?: number; background?: boolean }): Promise<ExecResult>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Relative paths of the lab's files. */
  listFiles(): Promise<string[]>;
  /** Servers the lab starts or stops. Returns an unsubscribe function. */
  onServer(listener: (event: ServerEvent) => void): () => void;
  /** Called when the runtime ends on its own (idle timeout, server restart). */
  onClose(listener: (reason: string) => void): () => void;
  teardown(): Promise<void>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

/** A command ending in `&` starts a long-running process. */
export function isBackground(command: string): boolean {
  return /&\s*$/.test(command) && !/&&\s*$/.test(command);
}

export function stripBackground(command: string): string {
  return command.replace(/&\s*$/, '').trim();
}

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Flattens a tree to path → contents. */
export function flattenTree(tree: LabTree, prefix = ''): Map<string, string | Uint8Array> {
  const out = new Map<string, string | Uint8Array>();
  for (const [name, node] of Object.entries(tree)) {
    const path = prefix + name;
    if ('directory' in node) for (const [k, v] of flattenTree(node.directory, path + '/')) out.set(k, v);
    else out.set(path, 'base64' in node.file ? decodeBase64(node.file.base64) : node.file.contents);
  }
  return out;
}

export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

/**
 * What every runtime reports the same way: servers opening and closing (a late listener hears of
 * the ones already open) and the runtime ending on its own.
 */
export class RuntimeEvents {
  protected readonly openPorts = new Map<number, ServerEvent>();
  private readonly servers = new Emitter<ServerEvent>();
  protected readonly closes = new Emitter<string>();

  /** Records and announces a server event; an `open` for a port already open is dropped. */
  protected serverEvent(event: ServerEvent): void {
    if (event.type === 'open' && this.openPorts.has(event.port)) return;
    if (event.type === 'open') this.openPorts.set(event.port, event);
    else this.openPorts.delete(event.port);
    this.servers.emit(event);
  }

  onServer(listener: (event: ServerEvent) => void): () => void {
    for (const e of this.openPorts.values()) listener(e);
    return this.servers.on(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    return this.closes.on(listener);
  }
}
