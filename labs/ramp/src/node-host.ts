// The Node side of ramp's host interface (host.ts): node:fs as a RampFs, node:http as a RampNet,
// and process as a RampIO. Only cli.ts (the Node CLI) and tests import this; core.ts never does.
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { DropConnection, type RampFs, type RampHandler, type RampIO, type RampListener, type RampNet, type RampResponse, type RampStream } from './host.ts';

export const nodeFs: RampFs = {
  readFile: (p) => readFileSync(p),
  readRange: (p, position, length) => {
    const fd = openSync(p, 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      const n = readSync(fd, buf, 0, length, position);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  },
  writeFile: (p, data, opts) => writeFileSync(p, data, opts?.exclusive ? { flag: 'wx', mode: 0o644 } : undefined),
  appendFile: (p, data) => appendFileSync(p, data),
  stat: (p) => statSync(p),
  readdir: (p) => readdirSync(p),
  mkdir: (p, opts) => { mkdirSync(p, opts); },
  rename: (a, b) => renameSync(a, b),
  rm: (p, opts) => rmSync(p, opts),
  realpath: (p) => realpathSync(p),
  sync: (p) => {
    const fd = openSync(p, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  },
};

/** The body goes out in up to 10 pieces spread over `ms`, after the headers (`--fault slow-body`). */
function trickle(res: ServerResponse, body: Uint8Array, ms: number): void {
  const n = Math.max(1, Math.min(10, body.length));
  const size = Math.ceil(body.length / n);
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i >= n) { res.end(); return; }
    res.write(body.subarray(i * size, (i + 1) * size));
    i++;
    setTimeout(next, ms / n);
  };
  next();
}

function write(res: ServerResponse, r: RampResponse, closing: boolean): void {
  const headers: Record<string, string | number> = { ...r.headers };
  headers['content-length'] = typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.length;
  if (closing) headers.connection = 'close';
  res.writeHead(r.status, headers);
  if (r.trickleMs) {
    res.flushHeaders();
    trickle(res, typeof r.body === 'string' ? Buffer.from(r.body) : r.body, r.trickleMs);
  } else res.end(r.body);
}

interface ServerState { draining: boolean }

/** Collects the body (up to `maxBody`; past it, 413 and the connection closes), then asks the handler. */
function onRequest(req: IncomingMessage, res: ServerResponse, handler: RampHandler, maxBody: number, state: ServerState): void {
  const answer = (body: Uint8Array): void => {
    handler({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers as Record<string, string>, body }).then(
      (r) => write(res, r, state.draining || r.headers.connection === 'close'),
      (e) => {
        if (e instanceof DropConnection) { req.socket.destroy(); return; }
        write(res, { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: `internal error: ${(e as Error)?.message ?? String(e)}` }) }, true);
      },
    );
  };
  const len = req.headers['content-length'];
  if (len !== undefined && Number(len) > maxBody) {
    // The handler answers 413 from the declared length; the body is never read.
    answer(new Uint8Array(0));
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (c: Buffer) => {
    if (failed) return;
    size += c.length;
    if (size > maxBody) {
      failed = true;
      write(res, { status: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: `request body exceeds the ${maxBody}-byte limit` }) }, true);
      res.once('finish', () => req.socket.destroySoon?.());
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (!failed) answer(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
  req.on('error', () => { failed = true; });
}

export const nodeNet: RampNet = {
  listen: (opts, handler) => new Promise<RampListener>((resolve, reject) => {
    const state: ServerState = { draining: false };
    const maxBody = opts.maxBodyBytes ?? Number.MAX_SAFE_INTEGER;
    const server = createServer((req, res) => onRequest(req, res, handler, maxBody, state));
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 30_000;
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"error":"malformed HTTP"}\n');
      else socket.destroy();
    });
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const a = server.address();
      const close = (timeoutMs = 10_000): Promise<void> => new Promise((done) => {
        state.draining = true;
        const timer = setInterval(() => server.closeIdleConnections(), 25);
        const hard = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => { clearInterval(timer); clearTimeout(hard); done(); });
        server.closeIdleConnections();
      });
      resolve({ host: opts.host, port: typeof a === 'object' && a ? a.port : opts.port, close: () => close() });
    });
  }),
};

function stream(s: NodeJS.WriteStream): RampStream {
  return { write: (chunk) => { s.write(chunk); }, isTTY: !!s.isTTY };
}

/**
 * This process as a RampIO. Once the running command watches `signal` (`serve` does), a SIGINT or
 * SIGTERM aborts it (`serve` drains, then returns 0); the same signal again ends the process.
 * Until then the signals keep Node's default: they end the process at once, even in the middle of
 * a synchronous read of standard input or a long computation.
 */
export function nodeIo(): RampIO {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => ac.abort(sig);
  let watched = false;
  const add = ac.signal.addEventListener.bind(ac.signal);
  ac.signal.addEventListener = ((type: string, ...rest: [EventListenerOrEventListenerObject, AddEventListenerOptions?]) => {
    if (type === 'abort' && !watched) {
      watched = true;
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    add(type, ...rest);
  }) as typeof ac.signal.addEventListener;
  return {
    fs: nodeFs,
    cwd: process.cwd(),
    env: process.env,
    stdout: stream(process.stdout),
    stderr: stream(process.stderr),
    stdin: () => readFileSync(0),
    net: nodeNet,
    signal: ac.signal,
    // The query string reloads a script edited since the last run in this process.
    importModule: async (file) => (await import(`${pathToFileURL(file).href}?mtime=${statSync(file).mtimeMs}`)) as Record<string, unknown>,
  };
}
