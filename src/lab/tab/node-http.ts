/**
 * `node:http` servers for the in-tab `node`: `createServer(handler).listen(port)` listens on the
 * lab's virtual network (through the engine), so `curl`, other scripts and the preview reach it.
 * Requests arrive as messages; `req` and `res` are the parts of Node's IncomingMessage and
 * ServerResponse that request handlers use. A listening server keeps the script running, as in Node.
 */

export interface HttpHost {
  /** Asks the engine to listen; resolves with the port, or rejects (EADDRINUSE). */
  listen(port: number): Promise<number>;
  unlisten(port: number): void;
  /** The script keeps running while a server listens. */
  hold(): void;
  release(): void;
}

export interface IncomingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface OutgoingResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

type Handler = (req: ReturnType<typeof incoming>, res: ServerResponse) => unknown;
type Listener = (...args: unknown[]) => void;

/** Node's `on`/`once`/`emit`, enough for servers, requests and responses. */
class Events {
  private handlers = new Map<string, Listener[]>();
  on(event: string, fn: Listener): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Listener): this {
    const wrapped: Listener = (...a) => {
      this.off(event, wrapped);
      fn(...a);
    };
    return this.on(event, wrapped);
  }
  off(event: string, fn: Listener): this {
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((f) => f !== fn));
    return this;
  }
  emit(event: string, ...args: unknown[]): boolean {
    const list = this.handlers.get(event) ?? [];
    for (const fn of list) fn(...args);
    return list.length > 0;
  }
}

function incoming(r: IncomingRequest) {
  const req = Object.assign(new Events(), { method: r.method, url: r.url, headers: r.headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } });
  queueMicrotask(() => {
    if (r.body.length) req.emit('data', r.body);
    req.emit('end');
  });
  return Object.assign(req, {
    async *[Symbol.asyncIterator]() {
      if (r.body.length) yield r.body;
    },
  });
}

class ServerResponse extends Events {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  private headers: Record<string, string> = {};
  private chunks: Uint8Array[] = [];
  private done: (r: OutgoingResponse) => void;
  constructor(done: (r: OutgoingResponse) => void) {
    super();
    this.done = done;
  }
  setHeader(name: string, value: string | number | string[]): this {
    this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }
  removeHeader(name: string): void {
    delete this.headers[name.toLowerCase()];
  }
  writeHead(status: number, a?: string | Record<string, string | number>, b?: Record<string, string | number>): this {
    this.statusCode = status;
    const headers = typeof a === 'object' ? a : b;
    for (const [k, v] of Object.entries(headers ?? {})) this.setHeader(k, v);
    this.headersSent = true;
    return this;
  }
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    this.headersSent = true;
    return true;
  }
  end(chunk?: string | Uint8Array | (() => void), cb?: () => void): this {
    if (this.writableEnded) return this;
    if (chunk && typeof chunk !== 'function') this.write(chunk);
    this.writableEnded = true;
    const size = this.chunks.reduce((n, c) => n + c.length, 0);
    const body = new Uint8Array(size);
    let at = 0;
    for (const c of this.chunks) {
      body.set(c, at);
      at += c.length;
    }
    this.done({ status: this.statusCode, headers: this.headers, body });
    this.emit('finish');
    (typeof chunk === 'function' ? chunk : cb)?.();
    return this;
  }
}

export function makeHttp(host: HttpHost) {
  /** Servers by port, for requests the engine forwards. */
  const servers = new Map<number, Handler>();

  /** A request the engine forwards to a server of this script. */
  const dispatch = (port: number, r: IncomingRequest): Promise<OutgoingResponse> =>
    new Promise((resolve) => {
      const handler = servers.get(port);
      if (!handler) return resolve({ status: 502, headers: {}, body: new TextEncoder().encode('no server') });
      const res = new ServerResponse(resolve);
      try {
        const out = handler(incoming(r), res) as Promise<unknown> | undefined;
        if (out && typeof out.catch === 'function') out.catch((e: Error) => res.writeHead(500).end(String(e?.message ?? e)));
      } catch (e) {
        res.writeHead(500).end(String((e as Error)?.message ?? e));
      }
    });

  const createServer = (a?: Handler | object, b?: Handler) => {
    const handler = (typeof a === 'function' ? a : b) as Handler | undefined;
    const server = new Events() as Events & Record<string, unknown>;
    let port: number | null = null;
    const listen = (...args: unknown[]) => {
      const cb = args.find((x) => typeof x === 'function') as (() => void) | undefined;
      const wanted = typeof args[0] === 'number' || typeof args[0] === 'string' ? Number(args[0]) : Number((args[0] as { port?: number })?.port ?? 0);
      if (cb) server.once('listening', cb);
      host.hold();
      host.listen(wanted).then(
        (p) => {
          port = p;
          servers.set(p, (req, res) => (handler ? handler(req, res) : server.emit('request', req, res)));
          server.emit('listening');
        },
        (e: Error) => {
          host.release();
          if (!server.emit('error', e)) throw e;
        },
      );
      return server;
    };
    const close = (cb?: () => void) => {
      if (port !== null) {
        servers.delete(port);
        host.unlisten(port);
        host.release();
        port = null;
      }
      queueMicrotask(() => {
        server.emit('close');
        cb?.();
      });
      return server;
    };
    return Object.assign(server, { listen, close, address: () => (port === null ? null : { address: '127.0.0.1', family: 'IPv4', port }), listening: () => port !== null });
  };

  const unavailable = (what: string) => () => {
    throw new Error(`${what} is not available in the in-tab lab: use fetch`);
  };
  return {
    module: { createServer, STATUS_CODES: { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' }, request: unavailable('http.request'), get: unavailable('http.get') },
    dispatch,
  };
}
