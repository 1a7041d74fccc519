/**
 * The learner's own files, kept per lab in the browser (localStorage) so a reload does not replace
 * their work with the reference solution. A snapshot holds the lab's text files (not `bin/`,
 * `.lab/` or `node_modules/`), within limits the code enforces; anything past them is left out and
 * counted, never half-written.
 */
import type { LabRuntime } from './runtime.ts';

export const SNAPSHOT_LIMITS = {
  /** Largest file kept, bytes. */
  file: 256 * 1024,
  /** All files of one lab together, bytes. */
  total: 1024 * 1024,
  /** Most files kept. */
  files: 200,
} as const;

export interface Snapshot {
  files: Record<string, string>;
  /** Files left out (binary, too large, or past the total). */
  skipped: string[];
}

/** The part of `Storage` used here (tests pass a Map-backed one). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const key = (lab: string) => `onramp:lab-files:${lab}`;

export function defaultStore(): KeyValueStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Files a snapshot never holds: the CLI, the lab's own checks, installed packages. */
export function isLabInternal(path: string): boolean {
  return /^(bin|\.lab|node_modules)\//.test(path);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes text files; null for binary ones (invalid UTF-8 or a NUL byte). */
export function asText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Reads the lab's text files from the runtime. */
export async function takeSnapshot(runtime: LabRuntime): Promise<Snapshot> {
  const paths = (await runtime.listFiles()).filter((p) => !isLabInternal(p)).sort();
  const snapshot: Snapshot = { files: {}, skipped: [] };
  let total = 0;
  for (const path of paths) {
    if (Object.keys(snapshot.files).length >= SNAPSHOT_LIMITS.files) {
      snapshot.skipped.push(path);
      continue;
    }
    const bytes = await runtime.readFile(path).catch(() => null);
    const text = bytes && bytes.length <= SNAPSHOT_LIMITS.file ? asText(bytes) : null;
    if (text === null || total + bytes!.length > SNAPSHOT_LIMITS.total) {
      snapshot.skipped.push(path);
      continue;
    }
    total += bytes!.length;
    snapshot.files[path] = text;
  }
  return snapshot;
}

export function saveSnapshot(lab: string, snapshot: Snapshot, store = defaultStore()): boolean {
  if (!store) return false;
  try {
    store.setItem(key(lab), JSON.stringify({ v: 1, files: snapshot.files }));
    return true;
  } catch {
    return false; // storage full or disabled: the previous snapshot stays whole
  }
}

export function loadSnapshot(lab: string, store = defaultStore()): Record<string, string> | null {
  if (!store) return null;
  try {
    const raw = JSON.parse(store.getItem(key(lab)) ?? 'null') as { v?: number; files?: unknown } | null;
    if (!raw || raw.v !== 1 || !raw.files || typeof raw.files !== 'object') return null;
    const out: Record<string, string> = {};
    for (const [path, text] of Object.entries(raw.files as Record<string, unknown>)) {
      // Only relative paths inside the lab: nothing a tampered entry could aim elsewhere.
      if (typeof text === 'string' && !isLabInternal(path) && !path.startsWith('/') && !path.split('/').includes('..')) out[path] = text;
    }
    return out;
  } catch {
    return null;
  }
}

export function clearSnapshot(lab: string, store = defaultStore()): void {
  try {
    store?.removeItem(key(lab));
  } catch {
    /* ignore */
  }
}
