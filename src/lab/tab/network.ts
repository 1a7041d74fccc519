/**
 * The in-tab lab's network: servers a lab starts (`ramp serve … &`) listen on a port here, and
 * `curl`, `node` scripts and the preview reach them by that port. Only loopback hosts exist; any
 * other address is refused, so a lab never sends a request off the page.
 */
import type { RampHandler, RampListener, RampNet, RampRequest, RampResponse } from '../../../labs/ramp/src/host.ts';

export interface NetResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Uint8Array;
  url: string;
}

export class NetError extends Error {
  code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '[::1]', '::1']);
const FIRST_FREE_PORT = 40000;
const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export class VirtualNetwork {
  private ports = new Map<number, RampHandler>();
  private listeners = new Set<(port: number, open: boolean) => void>();

  /** Called with (port, true) when a server starts listening, (port, false) when it stops. */
  onChange(listener: (port: number, open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  openPorts(): number[] {
    return [...this.ports.keys()];
  }

  /** A `RampNet` whose listeners close when `owner` ends (a job that is killed takes its server with it). */
  scoped(): RampNet & { closeAll(): Promise<void> } {
    const mine = new Set<RampListener>();
    return {
      listen: async (opts, handler) => {
        const listener = this.listen(opts.port, handler);
        mine.add(listener);
        const close = listener.close;
        listener.close = async () => {
          mine.delete(listener);
          await close();
        };
        return { ...listener, host: LOOPBACK.has(opts.host) ? opts.host : '127.0.0.1' };
      },
      closeAll: async () => {
        for (const l of [...mine]) await l.close();
      },
    };
  }

  listen(port: number, handler: RampHandler): RampListener {
    if (port === 0) for (port = FIRST_FREE_PORT; this.ports.has(port); port++);
    if (this.ports.has(port)) throw new NetError(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`, 'EADDRINUSE');
    this.ports.set(port, handler);
    this.emit(port, true);
    return {
      host: '127.0.0.1',
      port,
      close: async () => {
        if (this.ports.get(port) !== handler) return;
        this.ports.delete(port);
        this.emit(port, false);
      },
    };
  }

  private emit(port: number, open: boolean) {
    for (const l of [...this.listeners]) l(port, open);
  }

  /** One request to a server in the lab. Throws `NetError` (ECONNREFUSED) when nothing listens there. */
  async request(url: string, init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string | null } = {}): Promise<NetResponse> {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new NetError(`${u.protocol} is not available in the in-tab lab; use http://127.0.0.1:<port>`, 'EPROTO');
    if (!LOOPBACK.has(u.hostname)) throw new NetError(`connect ECONNREFUSED ${u.hostname}: the in-tab lab reaches only servers started in the lab (127.0.0.1 or localhost)`, 'ECONNREFUSED');
    const port = Number(u.port || 80);
    const handler = this.ports.get(port);
    if (!handler) throw new NetError(`connect ECONNREFUSED 127.0.0.1:${port}`, 'ECONNREFUSED');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    headers.host ??= `${u.hostname}:${port}`;
    const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : (init.body ?? new Uint8Array());
    const req: RampRequest = { method: (init.method ?? 'GET').toUpperCase(), url: u.pathname + u.search, headers, body };
    const res: RampResponse = await handler(req);
    const bytes = typeof res.body === 'string' ? new TextEncoder().encode(res.body) : res.body;
    return { status: res.status, statusText: STATUS_TEXT[res.status] ?? '', headers: lowerKeys(res.headers), body: bytes, url };
  }
}

/** `fetch` over the virtual network (for ramp as a client): Node's errors, a `Response` back. */
export function networkFetch(net: VirtualNetwork): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const req = new Request(input, init);
    const body = req.method === 'GET' || req.method === 'HEAD' ? null : new Uint8Array(await req.arrayBuffer());
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    let r: NetResponse;
    try {
      r = await net.request(req.url, { method: req.method, headers, body });
    } catch (e) {
      throw Object.assign(new TypeError('fetch failed'), { cause: e });
    }
    const empty = r.status === 204 || r.status === 304 || req.method === 'HEAD';
    return new Response(empty ? null : (r.body as Uint8Array<ArrayBuffer>), { status: r.status, statusText: r.statusText, headers: r.headers });
  }) as typeof fetch;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}
