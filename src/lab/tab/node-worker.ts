/**
 * One `node` run in the in-tab lab, in a Worker of its own. Loads the script as an ES module from
 * the lab's files: its imports are rewritten (es-module-lexer) to blob URLs — relative files,
 * packages in node_modules, and Node built-ins (`node-shims.ts`). Like Node, it exits when the
 * script has nothing left to wait for (no timer, request or child process pending), or at
 * `process.exit`.
 */
import { init, parse } from 'es-module-lexer/js';
import type { FromScript, ScriptStart } from './node-runner.ts';
import { BUILTINS, ExitSignal, makeShims, type ShimHost, type Shims } from './node-shims.ts';
import { resolvePath } from './bash-fs.ts';

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
  const original = scope.fetch.bind(scope);
  scope.fetch = (input: RequestInfo | URL, init: RequestInit = {}) =>
    track(
      (async () => {
        const req = new Request(input, init);
        const url = new URL(req.url);
        if (!/^(127\.0\.0\.1|localhost|0\.0\.0\.0)$/.test(url.hostname)) {
          void original;
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

// ── modules ────────────────────────────────────────────────────────────────────────────────

const builtinUrls = new Map<string, string>();
const moduleUrls = new Map<string, string>();

function builtinUrl(name: string, shims: Shims): string {
  let url = builtinUrls.get(name);
  if (url) return url;
  const keys = Object.keys(shims[name as keyof Shims]).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  const src = `const m = globalThis.__onrampNode[${JSON.stringify(name)}];\nexport default m;\n${keys.map((k) => `export const ${k} = m.${k};`).join('\n')}\n`;
  url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  builtinUrls.set(name, url);
  return url;
}

function readText(path: string): string | null {
  const data = files.get(path);
  return data ? new TextDecoder().decode(data) : null;
}

/** A bare specifier from node_modules folders up the tree: package.json's exports, module or main. */
function resolvePackage(spec: string, fromDir: string): string | null {
  const parts = spec.split('/');
  const pkgName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const sub = spec.slice(pkgName.length);
  for (let dir = fromDir; ; dir = dir.slice(0, dir.lastIndexOf('/')) || '/') {
    const root = `${dir === '/' ? '' : dir}/node_modules/${pkgName}`;
    const pkgText = readText(`${root}/package.json`);
    if (pkgText) {
      if (sub) return resolveFile(`${root}${sub}`);
      const pkg = JSON.parse(pkgText) as { exports?: unknown; module?: string; main?: string };
      const pick = (e: unknown): string | null => {
        if (typeof e === 'string') return e;
        if (e && typeof e === 'object') {
          const o = e as Record<string, unknown>;
          for (const k of ['.', 'browser', 'import', 'module', 'default']) if (k in o) return pick(o[k]);
        }
        return null;
      };
      const entry = pick(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
      return resolveFile(resolvePath(root, entry));
    }
    if (dir === '/') return null;
  }
}

function resolveFile(path: string): string | null {
  for (const candidate of [path, `${path}.mjs`, `${path}.js`, `${path}/index.mjs`, `${path}/index.js`]) if (files.has(candidate)) return candidate;
  return null;
}

function specifierUrl(spec: string, fromFile: string, shims: Shims): string {
  const bare = spec.replace(/^node:/, '');
  if ((BUILTINS as readonly string[]).includes(bare)) return builtinUrl(bare, shims);
  if (spec.startsWith('node:')) throw new Error(`Cannot find module '${spec}': not available in the in-tab lab`);
  const dir = fromFile.slice(0, fromFile.lastIndexOf('/')) || '/';
  const file = spec.startsWith('.') || spec.startsWith('/') ? resolveFile(resolvePath(dir, spec)) : resolvePackage(spec, dir);
  if (!file) throw new Error(`Cannot find module '${spec}' imported from ${fromFile}`);
  return moduleUrl(file, shims);
}

function moduleUrl(path: string, shims: Shims, source?: string): string {
  const known = moduleUrls.get(path);
  if (known) return known;
  if (/\.(c|m)?ts$/.test(path)) throw new Error(`${path}: TypeScript files are not run by node in the in-tab lab; use a .mjs file`);
  const src = source ?? readText(path);
  if (src === null) throw new Error(`Cannot find module '${path}'`);
  const [imports] = parse(src, path);
  let out = '';
  let last = 0;
  for (const imp of imports) {
    if (imp.type === 'import-meta' || typeof imp.specifier !== 'string' || (imp.type === 'dynamic' && imp.glob)) continue;
    const url = specifierUrl(imp.specifier, path, shims);
    // A static import's range is the specifier's text; a dynamic one's may include its quotes.
    const quoted = /^['"`]/.test(src.slice(imp.start, imp.start + 1));
    out += src.slice(last, imp.start) + (quoted ? JSON.stringify(url) : url);
    last = imp.end;
  }
  out += src.slice(last);
  const commonJs = !imports.length && /\brequire\s*\(/.test(src) && !/^\s*(import|export)\b/m.test(src);
  const body = commonJs ? `const require = (n) => globalThis.__onrampNode.require(n);\n${out}` : out;
  const url = URL.createObjectURL(new Blob([body], { type: 'text/javascript' }));
  moduleUrls.set(path, url);
  return url;
}

// ── start ──────────────────────────────────────────────────────────────────────────────────

scope.onmessage = async (e: MessageEvent) => {
  const m = e.data as ScriptStart | { type: 'fetched' | 'executed'; id: number };
  if ('type' in m) {
    waiting.get(m.id)?.(m as unknown as Record<string, unknown>);
    waiting.delete(m.id);
    return;
  }
  files = new Map(m.files);
  let shims: Shims;
  const host: ShimHost = {
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
  const require = (name: string) => {
    const bare = name.replace(/^node:/, '');
    if ((BUILTINS as readonly string[]).includes(bare)) return shims[bare as keyof Shims];
    throw new Error(`Cannot find module '${name}': require() in the in-tab lab loads only Node built-ins; use import for files`);
  };
  Object.assign(globalThis, { __onrampNode: { ...shims, require }, process: shims.process, console: { ...console, ...shims.console } });
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
    await init;
    const entry = m.evalCode !== null ? moduleUrl(`${m.cwd}/[eval].mjs`, shims, m.evalCode) : moduleUrl(m.argv[1]!, shims);
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
