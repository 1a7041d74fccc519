// `ramp serve --traffic traffic.yaml`: several versions of one model behind one name. Each version
// is a ramp server's request handler; the router picks one per request (sticky by route_by, else
// at random by weight), copies the request to the shadow, and answers /metrics per version.
// Swapping the config is one assignment: in-flight requests finish on the version they started on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { RampError } from '../errors.ts';
import type { Model } from '../estimators/index.ts';
import { createRampServer, type RampServer } from '../serve.ts';
import { bucketOf, pickVersion, type TrafficConfig } from './config.ts';
import { TrafficMetrics } from './metrics.ts';
import type { PredictionLog } from './prediction-log.ts';

export interface VersionServer {
  version: string;
  model: Model;
  file: string;
  ramp: RampServer;
  log: PredictionLog | null;
}

export interface Live {
  config: TrafficConfig;
  versions: Map<string, VersionServer>;
}

export interface RouterOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  /** Logs a line (a shadow's answer, a refused reload). */
  log: (event: Record<string, unknown>) => void;
}

const JSON_TYPE = 'application/json';

function reply(res: ServerResponse, status: number, body: string, type = JSON_TYPE): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The request again, for a handler: same headers and URL, the body already read. */
function replay(req: IncomingMessage, body: Buffer, url: string): IncomingMessage {
  return Object.assign(Readable.from(body.length ? [body] : []), { headers: req.headers, method: req.method, url, socket: req.socket }) as unknown as IncomingMessage;
}

/** A response nobody receives: the shadow's answer is captured and logged. */
function sink(done: (status: number, body: string) => void): ServerResponse {
  let status = 200;
  const res = { writeHead: (s: number) => { status = s; return res; }, end: (b?: Buffer | string) => done(status, b ? String(b) : ''), once: () => res, on: () => res, setHeader: () => res };
  return res as unknown as ServerResponse;
}

function routingKey(req: IncomingMessage, body: Buffer, field: string | null): string | null {
  if (!field) return null;
  const h = req.headers[`x-${field.toLowerCase().replace(/_/g, '-')}`] ?? req.headers['x-route-key'];
  if (typeof h === 'string' && h) return h;
  try {
    const p = (JSON.parse(body.toString('utf8')) as { parameters?: Record<string, unknown> })?.parameters?.[field];
    return p === undefined || p === null ? null : String(p);
  } catch {
    return null;
  }
}

export function createTrafficRouter(getLive: () => Live, metrics: TrafficMetrics, opts: RouterOptions): { server: Server; listen(): Promise<{ host: string; port: number }> } {
  const timed = (res: ServerResponse, version: string, role: string): void => {
    const t0 = performance.now();
    res.once('finish', () => metrics.observe(version, role, res.statusCode, (performance.now() - t0) / 1000));
  };

  function infer(req: IncomingMessage, res: ServerResponse, live: Live, pinned: string | null, body: Buffer): void {
    const { config, versions } = live;
    let target: VersionServer | undefined;
    if (pinned !== null) {
      target = versions.get(pinned);
      if (!target) return reply(res, 404, JSON.stringify({ error: `version "${pinned}" of model "${config.name}" is not deployed; versions: ${[...versions.keys()].join(', ')}` }));
    } else {
      const key = routingKey(req, body, config.routeBy);
      const bucket = key === null ? Math.floor(Math.random() * 10000) : bucketOf(key);
      target = versions.get(pickVersion(config.routes, bucket).version)!;
    }
    timed(res, target.version, pinned !== null ? 'direct' : 'routed');
    const url = `/v2/models/${encodeURIComponent(config.name)}/infer`;
    target.ramp.handle(replay(req, body, url), res);
    const shadow = pinned === null ? config.routes.find((r) => r.shadow) : undefined;
    if (shadow && versions.has(shadow.version)) {
      const sv = versions.get(shadow.version)!;
      const t0 = performance.now();
      sv.ramp.handle(replay(req, body, url), sink((status, out) => {
        metrics.observe(sv.version, 'shadow', status, (performance.now() - t0) / 1000);
        opts.log({ event: 'shadow', version: sv.version, status, answer: out.length > 2000 ? `${out.slice(0, 2000)}…` : out });
      }));
    }
  }

  function readBody(req: IncomingMessage, res: ServerResponse, cb: (b: Buffer) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > opts.maxBodyBytes && !failed) {
        failed = true;
        res.setHeader('Connection', 'close');
        reply(res, 413, JSON.stringify({ error: `request body exceeds the ${opts.maxBodyBytes}-byte limit` }));
      }
      if (!failed) chunks.push(c);
    });
    req.on('end', () => { if (!failed) cb(Buffer.concat(chunks, size)); });
  }

  const server = createServer((req, res) => {
    metrics.inflight++;
    res.once('close', () => { metrics.inflight--; });
    const live = getLive();
    const path = (req.url ?? '/').split('?')[0]!;
    const prefix = `/v2/models/${encodeURIComponent(live.config.name)}`;
    const m = path.startsWith(prefix) ? /^(?:\/versions\/([^/]+))?(\/infer)?$/.exec(path.slice(prefix.length)) : null;
    if (m && m[2] && req.method === 'POST') return readBody(req, res, (b) => infer(req, res, live, m[1] ? decodeURIComponent(m[1]) : null, b));
    if (m && m[1] && !live.versions.has(decodeURIComponent(m[1]))) return reply(res, 404, JSON.stringify({ error: `version "${decodeURIComponent(m[1])}" is not deployed` }));
    if (path === '/metrics') return reply(res, 200, metrics.render(live.config.name, live.config.routes), 'text/plain; version=0.0.4; charset=utf-8');
    // Everything else (health, metadata, the page, V1) is the main version's.
    const main = [...live.config.routes].sort((a, b) => b.weight - a.weight)[0]!;
    const v = m && m[1] ? live.versions.get(decodeURIComponent(m[1]))! : live.versions.get(main.version)!;
    v.ramp.handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return {
    server,
    listen: () => new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new RampError(`port ${opts.port} on ${opts.host} is already in use`, { code: 'port_in_use', hint: 'Pick another port with --port, or --port 0 to choose a free one.' }) : e));
      server.listen(opts.port, opts.host, () => {
        const a = server.address();
        resolve({ host: opts.host, port: typeof a === 'object' && a ? a.port : opts.port });
      });
    }),
  };
}

/** A ramp server for one version (its own handler; its own listener is never started). */
export function versionServer(version: string, model: Model, file: string, name: string, maxBodyBytes: number, serverVersion: string, log: PredictionLog | null): VersionServer {
  const ramp = createRampServer(model, { name, host: '127.0.0.1', port: 0, maxBodyBytes, version: serverVersion, file, format: '', modelVersion: version, ...(log ? { onInfer: (rows, predict) => log.record(rows, predict) } : {}) });
  return { version, model, file, ramp, log };
}
