/**
 * Messages between the lab page (`TabRuntime`) and the engine in its Worker. Requests carry an id
 * and get one reply; events (terminal text, servers opening and closing) flow from the engine.
 * The same protocol runs over a `MessageChannel` in tests.
 */
import type { ExecResult } from '../runtime.ts';
import { Engine, LAB_ROOT, loadRamp, type EngineOptions } from './engine.ts';

export interface HttpRequest {
  port: number;
  method: string;
  /** Path and query inside the server. */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export type EngineRequest =
  | { op: 'boot'; files: [string, string | Uint8Array][] }
  | { op: 'line'; text: string }
  | { op: 'interrupt' }
  | { op: 'exec'; command: string; timeoutMs: number }
  | { op: 'read'; path: string }
  | { op: 'write'; path: string; data: string | Uint8Array }
  | { op: 'list' }
  /** Files written or removed since the last call: [path, bytes] or [path, null]. */
  | { op: 'changes' }
  | { op: 'complete'; word: string }
  | { op: 'resize'; cols: number; rows: number }
  | { op: 'http'; request: HttpRequest }
  | { op: 'stop' };

export interface LineResult {
  output: string;
  exitCode: number;
  /** The shell's folder after the line, for the prompt. */
  cwd: string;
}

export type EngineEvent = { event: 'terminal'; text: string } | { event: 'server'; port: number; open: boolean };

export type EngineReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** What both a Worker (`self` inside, the Worker object outside) and a MessagePort offer. */
export interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** The engine side: answers requests arriving on `port`. `options` adds the host's `node`. */
export function serveEngine(port: Port, options: Pick<EngineOptions, 'runNode'> = {}): void {
  const emit = (e: EngineEvent) => port.postMessage(e);
  // Made at once, before the lab's files arrive: a Worker started ahead (on intent to start) has
  // its shell ready when they do.
  const engine = new Engine([], { ...options, onTerminal: (text) => emit({ event: 'terminal', text }), onServer: (p, open) => emit({ event: 'server', port: p, open }) });
  let booted = false;
  const need = (): Engine => {
    if (!booted) throw new Error('the lab engine is not booted');
    return engine;
  };
  const handle = async (req: EngineRequest): Promise<unknown> => {
    switch (req.op) {
      case 'boot':
        engine.mount(req.files);
        booted = true;
        // ramp loads while the learner reads the prompt.
        setTimeout(() => void loadRamp().catch(() => {}), 0);
        return null;
      case 'line': {
        const r = await need().line(req.text);
        const cwd = need().cwd;
        return { output: r.stdout + r.stderr, exitCode: r.exitCode, cwd: cwd === LAB_ROOT ? '~' : cwd.startsWith(`${LAB_ROOT}/`) ? `~${cwd.slice(LAB_ROOT.length)}` : cwd } satisfies LineResult;
      }
      case 'interrupt':
        return need().interrupt();
      case 'exec':
        return (await need().exec(req.command, req.timeoutMs)) satisfies ExecResult;
      case 'read':
        return need().readFile(req.path);
      case 'write':
        return need().writeFile(req.path, req.data);
      case 'list':
        return need().listFiles();
      case 'changes':
        return need().changes();
      case 'complete':
        return need().complete(req.word);
      case 'resize':
        need().size = { cols: req.cols, rows: req.rows };
        return null;
      case 'http':
        return http(need(), req.request);
      case 'stop':
        engine.stop();
        return null;
    }
  };
  port.onmessage = (e: MessageEvent) => {
    const { id, req } = e.data as { id: number; req: EngineRequest };
    handle(req).then(
      (value) => port.postMessage({ id, ok: true, value } satisfies EngineReply),
      (error: Error) => port.postMessage({ id, ok: false, error: error?.message ?? String(error) } satisfies EngineReply),
    );
  };
}

async function http(engine: Engine, req: HttpRequest): Promise<HttpResponse> {
  try {
    const r = await engine.net.request(`http://127.0.0.1:${req.port}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
    return { status: r.status, headers: r.headers, body: r.body };
  } catch (e) {
    const text = `Nothing answers on port ${req.port} in this lab (${(e as Error).message}). Start the server in the terminal, then reload the preview.`;
    return { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: new TextEncoder().encode(text) };
  }
}
