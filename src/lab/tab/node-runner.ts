/**
 * The in-tab shell's `node` command: runs a lab script as an ES module in a Worker of its own
 * (`node-worker.ts`), so Ctrl-C or a check's timeout ends it for certain. The script gets the lab's
 * files as they are (a copy; what it writes comes back when it exits), `fetch` to servers in the
 * lab, and asynchronous `child_process` through the shell.
 */
import type { CommandResult, Engine, NodeRunner } from './engine.ts';
import type { RampListener, RampRequest } from '../../../labs/ramp/src/host.ts';
import type { OutgoingResponse } from './node-http.ts';
import { LAB_ROOT } from './engine.ts';

export const NODE_VERSION = 'v22.12.0';

/** Messages from the script's Worker. */
export type FromScript =
  | { type: 'out'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'fetch'; id: number; url: string; method: string; headers: Record<string, string>; body: Uint8Array | null }
  /** A child process: the script's writes so far go first, the files as they are after it come back. */
  | { type: 'exec'; id: number; command: string; cwd: string; changes: [string, Uint8Array | null][] }
  | { type: 'exit'; code: number; changes: [string, Uint8Array | null][] }
  /** A node:http server listens (port 0: any free port) or stops. */
  | { type: 'listen'; id: number; port: number }
  | { type: 'unlisten'; port: number }
  | { type: 'response'; id: number; response: OutgoingResponse };

export interface ScriptStart {
  argv: string[];
  /** Code for `node -e`, else null (the script is argv[1]). */
  evalCode: string | null;
  cwd: string;
  env: Record<string, string>;
  files: [string, Uint8Array][];
}

const USAGE = 'Usage: node <script.mjs> [arguments] | node -e "<code>" | node --version\n';

/** Every file under the lab's folder and /tmp, as absolute paths. */
function snapshot(engine: Engine): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const walk = (dir: string) => {
    for (const name of engine.fs.readdir(dir)) {
      const p = `${dir}/${name}`;
      if (engine.fs.stat(p).isDirectory()) walk(p);
      else out.push([p, engine.fs.readFile(p)]);
    }
  };
  walk(LAB_ROOT);
  try {
    walk('/tmp');
  } catch {
    /* no /tmp yet */
  }
  return out;
}

function apply(engine: Engine, changes: [string, Uint8Array | null][]): void {
  for (const [path, data] of changes) {
    if (data) {
      engine.fs.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true });
      engine.fs.writeFile(path, data);
    } else engine.fs.rm(path, { force: true });
  }
}

export function workerNodeRunner(makeWorker: () => Worker): NodeRunner {
  return async (args, ctx, engine): Promise<CommandResult> => {
    if (args[0] === '--version' || args[0] === '-v') return { stdout: `${NODE_VERSION}\n`, stderr: '', exitCode: 0 };
    let evalCode: string | null = null;
    let argv: string[];
    if (args[0] === '-e' || args[0] === '--eval') {
      if (args[1] === undefined) return { stdout: '', stderr: `node: ${args[0]} requires an argument\n`, exitCode: 9 };
      evalCode = args[1];
      argv = ['/usr/bin/node', ...args.slice(2)];
    } else if (!args[0] || args[0].startsWith('-')) {
      return { stdout: '', stderr: args[0] ? `node: option ${args[0]} is not available in the in-tab lab\n${USAGE}` : USAGE, exitCode: 9 };
    } else {
      argv = ['/usr/bin/node', args[0].startsWith('/') ? args[0] : `${ctx.cwd}/${args[0]}`, ...args.slice(1)];
    }
    const start: ScriptStart = { argv, evalCode, cwd: ctx.cwd, env: ctx.env, files: snapshot(engine) };
    return runScript(makeWorker(), start, ctx.signal, engine);
  };
}

/** The script's node:http servers on the lab's network: requests go to its Worker and back. */
function serverBridge(worker: Worker, engine: Engine) {
  const listeners = new Map<number, RampListener>();
  const waiting = new Map<number, (r: OutgoingResponse) => void>();
  let nextId = 1;
  return {
    listen(id: number, port: number) {
      try {
        const listener = engine.net.listen(port, (req: RampRequest) =>
          new Promise<OutgoingResponse>((resolve) => {
            const rid = nextId++;
            waiting.set(rid, resolve);
            worker.postMessage({ type: 'request', id: rid, port: listener.port, request: { method: req.method, url: req.url, headers: req.headers, body: req.body } });
          }),
        );
        listeners.set(listener.port, listener);
        worker.postMessage({ type: 'listened', id, port: listener.port });
      } catch (e) {
        worker.postMessage({ type: 'listened', id, error: (e as Error).message, code: (e as { code?: string }).code ?? 'EADDRINUSE' });
      }
    },
    answer(id: number, response: OutgoingResponse) {
      waiting.get(id)?.(response);
      waiting.delete(id);
    },
    unlisten(port: number) {
      void listeners.get(port)?.close();
      listeners.delete(port);
    },
    closeAll() {
      for (const port of [...listeners.keys()]) this.unlisten(port);
      for (const resolve of waiting.values()) resolve({ status: 502, headers: {}, body: new TextEncoder().encode('the script stopped') });
      waiting.clear();
    },
    get listening() {
      return listeners.size > 0;
    },
  };
}

function runScript(worker: Worker, start: ScriptStart, signal: AbortSignal | undefined, engine: Engine): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  const servers = serverBridge(worker, engine);
  /** A script serving HTTP runs until stopped: its output goes to the terminal as it comes. */
  let live = false;
  return new Promise<CommandResult>((resolve) => {
    const finish = (code: number) => {
      servers.closeAll();
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
      resolve({ stdout, stderr, exitCode: code });
    };
    const onAbort = () => finish(130);
    if (signal?.aborted) return finish(130);
    signal?.addEventListener('abort', onAbort);
    worker.onerror = (e) => {
      stderr += `node: ${e.message || 'the script could not start'}\n`;
      finish(1);
    };
    worker.onmessage = (e: MessageEvent<FromScript>) => {
      const m = e.data;
      if (m.type === 'out') {
        if (live) engine.terminal(m.text);
        else if (m.stream === 'stdout') stdout += m.text;
        else stderr += m.text;
      } else if (m.type === 'listen') {
        servers.listen(m.id, m.port);
        if (!live && servers.listening) {
          live = true;
          engine.terminal(stdout + stderr);
          stdout = stderr = '';
        }
      } else if (m.type === 'unlisten') {
        servers.unlisten(m.port);
      } else if (m.type === 'response') {
        servers.answer(m.id, m.response);
      } else if (m.type === 'fetch') {
        engine.net.request(m.url, { method: m.method, headers: m.headers, body: m.body }).then(
          (r) => worker.postMessage({ type: 'fetched', id: m.id, response: { status: r.status, statusText: r.statusText, headers: r.headers, body: r.body } }),
          (err: Error & { code?: string }) => worker.postMessage({ type: 'fetched', id: m.id, error: err.message, code: err.code ?? 'ECONNREFUSED' }),
        );
      } else if (m.type === 'exec') {
        apply(engine, m.changes);
        engine.bash.exec(m.command, { cwd: m.cwd, ...(signal ? { signal } : {}) }).then(
          (r) => worker.postMessage({ type: 'executed', id: m.id, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, files: snapshot(engine) }),
          (err: Error) => worker.postMessage({ type: 'executed', id: m.id, stdout: '', stderr: `${err.message}\n`, exitCode: 1, files: snapshot(engine) }),
        );
      } else if (m.type === 'exit') {
        apply(engine, m.changes);
        finish(m.code);
      }
    };
    worker.postMessage(start);
  });
}
