/**
 * One `node` run in the in-tab lab, in a Worker of its own. Loads the script as an ES module from
 * the lab's files: its imports are rewritten (es-module-lexer) to blob URLs — relative files,
 * packages in node_modules, and Node built-ins (`node-shims.ts`). Like Node, it exits when the
 * script has nothing left to wait for (no timer, request or child process pending), or at
 * `process.exit`.
 */
import type { FromScript, ScriptStart } from './node-runner.ts';
import { ModuleLoader } from './node-modules.ts';
import { ExitSignal, makeShims, type ShimHost, type Shims } from './node-shims.ts';
import { makeHttp, type IncomingRequest } from './node-http.ts';

/** The parts of a dedicated Worker's global scope used here (the DOM lib types `self` as a window). */
interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (e: PromiseRejectionEvent) => void): void;
  fetch: typeof fetch;
  setTimeout: typeof setTimeout;
  clearTimeout: typeof clearTimeout;
  setInterval: typeof setInterval;
  clearInterval: typeof clearInterval;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromScript) => scope.postMessage(m);

let pending = 0;
let exited = false;
let settled = false;
const changed = new Set<string>();
let files = new Map<string, Uint8Array>();

function exit(code: number): never {
  if (!exited) {
    exited = true;
    post({ type: 'exit', code, changes: [...changed].map((p) => [p, files.get(p) ?? null]) });
  }
  throw new ExitSignal(code);
}

/** Exits once the script has run and nothing is left pending, as Node does. */
function maybeExit(shims: Shims) {
  if (settled && pending === 0 && !exited) queueMicrotask(() => pending === 0 && !exited && tryExit(shims.process.exitCode ?? 0));
}
function tryExit(code: number) {
  try {
    exit(code);
  } catch {
    /* the exit message is sent */
  }
}

function track<T>(p: Promise<T>, shims: Shims): Promise<T> {
  pending++;
  return p.finally(() => {
    pending--;
    maybeExit(shims);
  });
}

function wrapTimers(shims: Shims) {
  const live = new Set<unknown>();
  const set = scope.setTimeout.bind(scope);
  const clear = scope.clearTimeout.bind(scope);
  const setInt = scope.setInterval.bind(scope);
  const clearInt = scope.clearInterval.bind(scope);
  const drop = (id: unknown) => {
    if (live.delete(id)) {
      pending--;
      maybeExit(shims);
    }
  };
  Object.assign(scope, {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...a: unknown[]) => {
      pending++;
      const id = set(() => {
        live.delete(id);
        try {
          fn(...a);
        } finally {
          pending--;
          maybeExit(shims);
        }
      }, ms);
      live.add(id);
      return id;
    },
    clearTimeout: (id: number) => {
      clear(id);
      drop(id);
    },
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...a: unknown[]) => {
      pending++;
      const id = setInt(fn, ms, ...a);
      live.add(id);
      return id;
    },
    clearInterval: (id: number) => {
      clearInt(id);
      drop(id);
    },
  });
}

let nextId = 1;
const waiting = new Map<number, (m: Record<string, unknown>) => void>();
function ask(message: FromScript): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    waiting.set((message as { id: number }).id, resolve);
    post(message);
  });
}

function installFetch(shims: Shims) {
  scope.fetch = (input: RequestInfo | URL, init: RequestInit = {}) =>
    track(
      (async () => {
        const req = new Request(input, init);
        const url = new URL(req.url);
        if (!/^(127\.0\.0\.1|localhost|0\.0\.0\.0)$/.test(url.hostname)) {
          throw new TypeError(`fetch failed: the in-tab lab reaches only servers started in the lab (127.0.0.1), not ${url.host}`);
        }
        const body = req.method === 'GET' || req.method === 'HEAD' ? null : new Uint8Array(await req.arrayBuffer());
        const headers: Record<string, string> = {};
        req.headers.forEach((v, k) => (headers[k] = v));
        const signal = init.signal;
        const answer = ask({ type: 'fetch', id: nextId++, url: url.href, method: req.method, headers, body });
        const m = await (signal ? Promise.race([answer, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]) : answer);
        if (m.error) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(String(m.error)), { code: m.code }) });
        const r = m.response as { status: number; statusText: string; headers: Record<string, string>; body: Uint8Array };
        const nullBody = r.status === 204 || r.status === 304 || req.method === 'HEAD';
        return new Response(nullBody ? null : (r.body as Uint8Array<ArrayBuffer>), { status: r.status, statusText: r.statusText, headers: r.headers });
      })(),
      shims,
    );
}

// ── start ──────────────────────────────────────────────────────────────────────────────────

let http: ReturnType<typeof makeHttp> | null = null;

scope.onmessage = async (e: MessageEvent) => {
  const m = e.data as ScriptStart | { type: 'fetched' | 'executed' | 'listened'; id: number } | { type: 'request'; id: number; port: number; request: IncomingRequest };
  if ('type' in m && m.type === 'request') {
    const response = await http!.dispatch(m.port, m.request);
    post({ type: 'response', id: m.id, response });
    return;
  }
  if ('type' in m) {
    waiting.get(m.id)?.(m as unknown as Record<string, unknown>);
    waiting.delete(m.id);
    return;
  }
  files = new Map(m.files);
  let shims: Shims;
  http = makeHttp({
    listen: async (port) => {
      const r = await ask({ type: 'listen', id: nextId++, port });
      if (r.error) throw Object.assign(new Error(String(r.error)), { code: r.code });
      return r.port as number;
    },
    unlisten: (port) => post({ type: 'unlisten', port }),
    hold: () => pending++,
    release: () => {
      pending--;
      maybeExit(shims);
    },
  });
  const host: ShimHost = {
    http: http.module,
    argv: m.argv,
    env: m.env,
    cwd: m.cwd,
    files,
    changed,
    write: (stream, text) => post({ type: 'out', stream, text }),
    exit,
    exec: async (command, cwd) => {
      // The child sees what the script wrote so far; the script sees what the child wrote.
      const changes: [string, Uint8Array | null][] = [...changed].map((p) => [p, files.get(p) ?? null]);
      changed.clear();
      const r = (await track(ask({ type: 'exec', id: nextId++, command, cwd, changes }), shims)) as { stdout: string; stderr: string; exitCode: number; files: [string, Uint8Array][] };
      files.clear();
      for (const [p, d] of r.files) files.set(p, d);
      return r;
    },
  };
  shims = makeShims(host);
  const loader = new ModuleLoader(files, shims);
  const require = (name: string, from: string) => loader.require(name, from);
  const dynamicImport = (spec: unknown, from: string) => loader.dynamicImport(spec, from);
  Object.assign(globalThis, { __onrampNode: { ...shims, require, import: dynamicImport }, process: shims.process, console: { ...console, ...shims.console } });
  wrapTimers(shims);
  installFetch(shims);
  scope.addEventListener('unhandledrejection', (ev) => {
    ev.preventDefault();
    if (ev.reason instanceof ExitSignal) return;
    shims.console.error(ev.reason);
    tryExit(1);
  });
  scope.addEventListener('error', (ev) => {
    ev.preventDefault();
    if (ev.error instanceof ExitSignal) return;
    shims.console.error(ev.error ?? ev.message);
    tryExit(1);
  });
  try {
    const entry = m.evalCode !== null ? await loader.url(`${m.cwd}/[eval].mjs`, m.evalCode) : await loader.url(m.argv[1]!);
    await import(/* @vite-ignore */ entry);
  } catch (error) {
    if (!(error instanceof ExitSignal)) {
      shims.console.error(error);
      tryExit(1);
    }
  }
  settled = true;
  maybeExit(shims);
};
