/**
 * The lab runner, a part of the Onramp service: sessions with a shell, checks, files and a
 * preview proxy, for browsers without WebContainers, workshops behind firewalls and every test.
 *
 *   POST /api/labs/:id/sessions            → { session, token, ws }   (404 off/unknown, 503 full)
 *   GET  /api/labs/sessions/:sid/ws?token=  WebSocket (same Origin only)
 *   ANY  /lab-preview/:sid/:token/:port/…  → http://127.0.0.1:<port>/… (ports the session opened)
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabTree } from '../../shared/lab-schema.ts';
import type { ClientMessage, CreateSessionResponse, ServerMessage } from '../../shared/lab-protocol.ts';
import { previewPath, PREVIEW_PREFIX } from '../../shared/lab-protocol.ts';
import type { ServicePart } from '../app.ts';
import { sendJson } from '../http.ts';
import { PathError } from './files.ts';
import { proxyPreview } from './preview.ts';
import { DEFAULT_LIMITS, SandboxError, type SandboxDriver, type SandboxKind } from './sandbox.ts';
import { SparePool } from './spares.ts';
import { chooseSandbox, limitsFromEnv } from './sandbox-drivers.ts';
import { LabSession } from './session.ts';
import { overLimit } from './usage.ts';
import { RateLimiter, clientAddress } from '../feedback/guard.ts';

export interface LabRunnerOptions {
  /** The lab's starter tree, or null for an unknown lab. */
  loadTree: (lab: string) => Promise<LabTree | null>;
  enabled?: boolean;
  maxSessions?: number;
  /** Keep one prepared session per lab for the next Start (default true). */
  spares?: boolean;
  idleSeconds?: number;
  /** Seconds a created session waits for its WebSocket. */
  connectSeconds?: number;
  /** Extra origins allowed to open WebSockets (besides the service's own). */
  allowedOrigins?: string[];
  pollMs?: number;
  /** Where sessions run (default: bubblewrap where it works, else none). */
  sandbox?: SandboxDriver;
  /** Sessions a client may create per minute (0: no limit). */
  createPerMinute?: number;
  /** Milliseconds between checks of each session's disk, memory and processes. */
  usageMs?: number;
  trustProxy?: boolean;
}

export interface LabRunner extends ServicePart {
  sessions: Map<string, LabSession>;
  /** Prepared sessions waiting for the next Start (see spares.ts). */
  spares: SparePool;
  sandbox: SandboxDriver;
}

const MAX_MESSAGE = 8 * 1024 * 1024;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function reject(socket: Duplex, status: number, text: string): true {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  return true;
}

/** The Origin must be the service's own (scheme-agnostic host match) or explicitly allowed. */
/** Most shell output (characters) kept for a session whose browser has not connected yet. */
const EARLY_OUTPUT_MAX = 64 * 1024;

/** The shell may have exited (its pty closed) at any moment; resizing it then is no error. */
function resizeShell(session: LabSession, cols: number, rows: number): void {
  try {
    session.shell?.resize(cols, rows);
  } catch {
    /* the shell is gone */
  }
}

export function originAllowed(req: IncomingMessage, extra: string[] = []): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (extra.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function labRunner(options: LabRunnerOptions): LabRunner {
  const enabled = options.enabled ?? true;
  const maxSessions = options.maxSessions ?? 8;
  const idleMs = (options.idleSeconds ?? 900) * 1000;
  const connectMs = (options.connectSeconds ?? 30) * 1000;
  const sessions = new Map<string, LabSession>();
  const sockets = new Map<string, WebSocket>();
  /** Shell output printed before the session's socket attached. */
  const early = new Map<string, string[]>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  let poller: NodeJS.Timeout | null = null;
  const sandbox = options.sandbox ?? chooseSandbox('auto', DEFAULT_LIMITS).driver;
  const limiter = new RateLimiter(options.createPerMinute ?? 60);
  /** The Origin a session was created from; its WebSocket must come from the same. */
  const origins = new Map<string, string>();
  let polling = false;
  let lastUsage = 0;
  /** Sessions being torn down; `close()` waits for them so no directory or process outlives the service. */
  const ending = new Set<Promise<void>>();

  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  async function end(session: LabSession, reason?: string, inTerminal = false) {
    if (session.closed) return;
    sessions.delete(session.id);
    early.delete(session.id);
    origins.delete(session.id);
    const ws = sockets.get(session.id);
    sockets.delete(session.id);
    if (ws) {
      if (reason && inTerminal) send(ws, { t: 'output', data: `\r\n\x1b[1;31m[onramp] ${reason}\x1b[0m\r\n` });
      if (reason) send(ws, { t: 'closing', reason });
      ws.close(1000, reason?.slice(0, 100));
    }
    const done = session.destroy();
    ending.add(done);
    await done.finally(() => ending.delete(done));
    if (sessions.size === 0 && poller) {
      clearInterval(poller);
      poller = null;
    }
  }

  const spares = new SparePool({
    make: async (lab, tree) => {
      const session = new LabSession(lab, sandbox);
      try {
        await session.init(tree);
      } catch (error) {
        await session.destroy();
        throw error;
      }
      startShell(session);
      return session;
    },
    destroy: (session) => {
      early.delete(session.id);
      return session.destroy();
    },
    room: () => sessions.size + spares.size < maxSessions,
  });

  /** Announces a session's opened and closed ports. */
  async function pollPorts(s: LabSession) {
    const ws = sockets.get(s.id);
    const now = (await s.sandbox?.ports()) ?? new Set<number>();
    if (s.closed) return;
    for (const port of now) {
      if (!s.ports.has(port)) {
        s.ports.add(port);
        if (ws) send(ws, { t: 'port', port, type: 'open', url: previewPath(s.id, s.token, port) });
      }
    }
    for (const port of [...s.ports]) {
      if (!now.has(port)) {
        s.ports.delete(port);
        if (ws) send(ws, { t: 'port', port, type: 'close', url: previewPath(s.id, s.token, port) });
      }
    }
  }

  /** Stops a session over its disk, memory or process limit, with the reason in its terminal. */
  async function checkUsage(s: LabSession) {
    const usage = await s.sandbox?.usage();
    const why = usage && overLimit(usage, sandbox.limits);
    // Not awaited: a slow teardown must not hold up the other sessions' checks.
    if (why && !s.closed) void end(s, `Session stopped: ${why}.`, true);
  }

  /** Ports of each session; every `usageMs`, their limits; ends idle sessions. */
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const now = Date.now();
      for (const s of sessions.values()) if (now - s.lastActivity > idleMs) void end(s, `closed after ${Math.round(idleMs / 1000)} s without activity`);
      const usage = now - lastUsage >= (options.usageMs ?? 1000);
      if (usage) lastUsage = now;
      await Promise.all([...sessions.values()].map(async (s) => {
        await pollPorts(s);
        if (usage) await checkUsage(s);
      }));
    } catch (error) {
      console.error('[onramp] lab runner poll:', (error as Error).message);
    } finally {
      polling = false;
    }
  }

  function ensurePoller() {
    if (!poller) {
      poller = setInterval(() => void poll(), options.pollMs ?? 300);
      poller.unref();
    }
  }

  async function handleMessage(session: LabSession, ws: WebSocket, msg: ClientMessage) {
    session.touch();
    switch (msg.t) {
      case 'input':
        if (typeof msg.data === 'string') session.shell?.write(msg.data);
        return;
      case 'resize': {
        const cols = Math.max(2, Math.min(500, Math.floor(Number(msg.cols)) || 80));
        const rows = Math.max(2, Math.min(200, Math.floor(Number(msg.rows)) || 24));
        resizeShell(session, cols, rows);
        return;
      }
      case 'ping':
        return;
      case 'exec': {
        const timeout = Math.max(100, Math.min(300_000, Number(msg.timeoutMs) || 30_000));
        if (typeof msg.command !== 'string' || !msg.command) return send(ws, { t: 'error', id: msg.id, message: 'command required' });
        const result = await session.exec(msg.command, timeout, msg.background ? (data) => send(ws, { t: 'output', data }) : undefined);
        return send(ws, { t: 'exec-result', id: msg.id, ...result });
      }
      case 'read': {
        const data = await session.readFile(msg.path);
        return send(ws, { t: 'file', id: msg.id, base64: data.toString('base64') });
      }
      case 'write': {
        if (typeof msg.base64 !== 'string') throw new PathError('base64 contents required');
        await session.writeFile(msg.path, Buffer.from(msg.base64, 'base64'));
        return send(ws, { t: 'ok', id: msg.id });
      }
      case 'list':
        return send(ws, { t: 'files', id: msg.id, files: await session.listFiles() });
      default:
        send(ws, { t: 'error', message: `unknown message type` });
    }
  }

  /**
   * The shell starts when the session is created, so bash is up by the time the browser connects;
   * what it prints before then is kept (up to EARLY_OUTPUT_MAX characters) and sent on attach.
   */
  function startShell(session: LabSession) {
    early.set(session.id, []);
    let kept = 0;
    session.startShell(
      80,
      24,
      (data) => {
        const ws = sockets.get(session.id);
        if (ws) return send(ws, { t: 'output', data });
        if (kept + data.length > EARLY_OUTPUT_MAX) return;
        kept += data.length;
        early.get(session.id)?.push(data);
      },
      (code) => {
        const ws = sockets.get(session.id);
        if (ws) send(ws, { t: 'shell-exit', code });
      },
    );
  }

  function attach(session: LabSession, ws: WebSocket, cols: number, rows: number) {
    if (session.closed) return ws.close(1000, 'the session has ended');
    sockets.set(session.id, ws);
    session.touch();
    resizeShell(session, cols, rows);
    send(ws, { t: 'ready', cols, rows });
    for (const data of early.get(session.id) ?? []) send(ws, { t: 'output', data });
    early.delete(session.id);
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return send(ws, { t: 'error', message: 'binary messages are not supported' });
      let msg: ClientMessage;
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return send(ws, { t: 'error', message: 'messages are JSON' });
      }
      handleMessage(session, ws, msg).catch((error: Error) => {
        const id = 'id' in msg ? msg.id : undefined;
        send(ws, { t: 'error', id, message: error instanceof PathError ? error.message : error.message || 'failed' });
      });
    });
    ws.on('close', () => void end(session));
    ws.on('error', () => void end(session));
  }

  const part: LabRunner = {
    sessions,
    spares,
    sandbox,
    routes: [
      {
        method: 'POST',
        path: '/api/labs/:lab/sessions',
        handler: async (req, res, _url, params) => {
          if (!enabled) return sendJson(res, 404, { error: 'the lab runner is turned off on this server (ONRAMP_LAB_RUNNER=off)' });
          if (req.headers.origin && !originAllowed(req, options.allowedOrigins)) return sendJson(res, 403, { error: 'cross-origin requests are not allowed' });
          const lab = params.lab!;
          if (!/^[a-z][a-z0-9-]*$/.test(lab)) return sendJson(res, 404, { error: `no lab "${lab}"` });
          const wait = limiter.take(limiter.keyOf(clientAddress(req, options.trustProxy ?? false), String(req.headers['user-agent'] ?? '')));
          if (wait > 0) return sendJson(res, 429, { error: `too many new lab sessions from this client; retry in ${wait} s` }, { 'Retry-After': String(wait) });
          if (sessions.size >= maxSessions) {
            return sendJson(res, 503, { error: `All ${maxSessions} lab sessions on this server are in use. Try again in a few minutes; the lab's recorded output is shown meanwhile.` }, { 'Retry-After': '60' });
          }
          const tree = await options.loadTree(lab);
          if (!tree) return sendJson(res, 404, { error: `no lab "${lab}"` });
          if (sessions.size >= maxSessions) return sendJson(res, 503, { error: `All ${maxSessions} lab sessions on this server are in use.` }, { 'Retry-After': '60' });
          const spare = await spares.take(lab, tree);
          const session = spare ?? new LabSession(lab, sandbox);
          sessions.set(session.id, session);
          if (req.headers.origin) origins.set(session.id, req.headers.origin);
          if (!spare) {
            try {
              await session.init(tree);
            } catch (error) {
              await end(session);
              if (error instanceof SandboxError) return sendJson(res, 503, { error: `Could not start the lab's sandbox: ${error.message}` });
              throw error;
            }
            startShell(session);
          }
          // The next learner's session gets ready while this one is in use.
          if (options.spares !== false) spares.refill(lab, tree);
          ensurePoller();
          void session.sandbox?.exited.then((why) => {
            if (why !== 'closed') void end(session, `Session stopped: ${why}.`, true);
          });
          setTimeout(() => {
            if (!sockets.has(session.id) && !session.closed) void end(session);
          }, connectMs).unref();
          const body: CreateSessionResponse = {
            session: session.id,
            token: session.token,
            ws: `/api/labs/sessions/${session.id}/ws?token=${session.token}`,
            idleSeconds: idleMs / 1000,
          };
          sendJson(res, 201, body);
        },
      },
    ],
    upgrade(req, socket, head, url) {
      const m = /^\/api\/labs\/sessions\/([A-Za-z0-9_-]+)\/ws$/.exec(url.pathname);
      if (!m) return false;
      if (!enabled) return reject(socket, 404, 'Not Found');
      if (!originAllowed(req, options.allowedOrigins)) return reject(socket, 403, 'Forbidden origin');
      const session = sessions.get(m[1]!);
      const token = url.searchParams.get('token') ?? '';
      if (!session || !sameToken(token, session.token)) return reject(socket, 401, 'Unknown session or bad token');
      const createdFrom = origins.get(session.id);
      if (createdFrom && createdFrom !== req.headers.origin) return reject(socket, 403, 'Session belongs to another origin');
      if (sockets.has(session.id)) return reject(socket, 409, 'Session already connected');
      const cols = Number(url.searchParams.get('cols')) || 80;
      const rows = Number(url.searchParams.get('rows')) || 24;
      wss.handleUpgrade(req, socket, head, (ws) => attach(session, ws, Math.min(500, cols), Math.min(200, rows)));
      return true;
    },
    async close() {
      await spares.close();
      await Promise.all([...sessions.values()].map((s) => end(s, 'the server is shutting down')));
      await Promise.allSettled([...ending]);
      wss.close();
    },
  };

  part.routes!.push({
    method: '*',
    path: `${PREVIEW_PREFIX}*`,
    handler: (req, res, url) => {
      const rest = url.pathname.slice(PREVIEW_PREFIX.length);
      const [sid = '', token = '', portText = ''] = rest.split('/');
      const session = sessions.get(sid);
      const port = Number(portText);
      if (!session || !sameToken(token, session.token)) return sendJson(res, 404, { error: 'no such preview (the lab session may have ended)' });
      const site = req.headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') return sendJson(res, 403, { error: 'previews load only from the lab page' });
      if (!Number.isInteger(port) || !session.ports.has(port)) return sendJson(res, 404, { error: `nothing in this lab session listens on port ${portText}` });
      session.touch();
      const prefix = previewPath(sid, token, port);
      const upstreamPath = '/' + rest.split('/').slice(3).join('/') + url.search;
      proxyPreview(req, res, port, upstreamPath, prefix, () => session.sandbox!.connect(port));
    },
  });
  return part;
}

export function labRunnerEnv(env: NodeJS.ProcessEnv = process.env) {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name}=${raw} is not valid: expected an integer from ${min} to ${max}.`);
    return v;
  };
  const flag = (env.ONRAMP_LAB_RUNNER ?? 'on').toLowerCase();
  const kind = (env.ONRAMP_LAB_SANDBOX || 'auto').toLowerCase();
  if (!['auto', 'bubblewrap', 'container', 'none'].includes(kind)) throw new Error(`ONRAMP_LAB_SANDBOX=${kind} is not valid: expected auto, bubblewrap, container or none.`);
  return {
    enabled: !['off', '0', 'false', 'no'].includes(flag),
    maxSessions: int('ONRAMP_LAB_SESSIONS', 8, 0, 1000),
    idleSeconds: int('ONRAMP_LAB_IDLE_SECONDS', 900, 5, 86_400),
    createPerMinute: int('ONRAMP_LAB_RATE_LIMIT', 60, 0, 100_000),
    sandboxKind: kind as SandboxKind | 'auto',
    limits: limitsFromEnv(int),
  };
}

/** Why the service may not listen on `host` with this sandbox, or null when it may. */
export function bindRefusal(host: string, sandbox: SandboxDriver, enabled: boolean, fallback?: string): string | null {
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  if (loopback || !enabled || sandbox.confining) return null;
  const why = fallback ? `no sandbox is available (${fallback})` : 'ONRAMP_LAB_SANDBOX=none';
  return `refusing to listen on ${host}: the lab runner would give everyone who can reach it a shell as this service's user, and ${why}.`;
}
