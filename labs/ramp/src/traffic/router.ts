// `ramp serve --traffic traffic.yaml`: several versions of one model behind one name. Each version
// is a ramp server's request handler; the router picks one per request (sticky by route_by, else
// at random by weight), copies the request to the shadow, and answers /metrics per version.
// Swapping the config is one assignment: in-flight requests finish on the version they started on.
import type { RampHandler, RampRequest, RampResponse } from '../host.ts';
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
  maxBodyBytes: number;
  /** Logs a line (a shadow's answer, a refused reload). */
  log: (event: Record<string, unknown>) => void;
}

const JSON_TYPE = 'application/json';
const UTF8 = new TextDecoder();

function reply(status: number, body: string, type = JSON_TYPE, extra: Record<string, string> = {}): RampResponse {
  return { status, headers: { 'content-type': type, ...extra }, body };
}

const text = (b: string | Uint8Array): string => (typeof b === 'string' ? b : UTF8.decode(b));

/** The routing key: a header, or the request's `parameters[field]` (the body, parsed once, is kept for the version). */
function routingKey(req: RampRequest, field: string | null): { key: string | null; parsed?: unknown } {
  if (!field) return { key: null };
  const h = req.headers[`x-${field.toLowerCase().replace(/_/g, '-')}`] ?? req.headers['x-route-key'];
  if (typeof h === 'string' && h) return { key: h };
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(req.body));
  } catch {
    return { key: null }; // the version answers with the parse error
  }
  const p = (parsed as { parameters?: Record<string, unknown> } | null)?.parameters?.[field];
  return { key: p === undefined || p === null ? null : String(p), parsed };
}

export function createTrafficRouter(getLive: () => Live, metrics: TrafficMetrics, opts: RouterOptions): RampHandler {
  async function timed(v: VersionServer, role: string, req: RampRequest): Promise<RampResponse> {
    const t0 = performance.now();
    const res = await v.ramp.handle(req);
    metrics.observe(v.version, role, res.status, (performance.now() - t0) / 1000);
    return res;
  }

  function infer(req: RampRequest, live: Live, pinned: string | null): Promise<RampResponse> {
    const { config, versions } = live;
    let target: VersionServer | undefined;
    let parsed: unknown;
    if (pinned !== null) {
      target = versions.get(pinned);
      if (!target) return Promise.resolve(reply(404, JSON.stringify({ error: `version "${pinned}" of model "${config.name}" is not deployed; versions: ${[...versions.keys()].join(', ')}` })));
    } else {
      const { key, parsed: body } = routingKey(req, config.routeBy);
      parsed = body;
      const bucket = key === null ? Math.floor(Math.random() * 10000) : bucketOf(key);
      target = versions.get(pickVersion(config.routes, bucket).version)!;
    }
    const url = `/v2/models/${encodeURIComponent(config.name)}/infer`;
    // The shadow parses its own copy: nothing the answering version does to the request can reach it.
    const answer = timed(target, pinned !== null ? 'direct' : 'routed', { ...req, url, parsed });
    const shadow = pinned === null ? config.routes.find((r) => r.shadow) : undefined;
    if (shadow && versions.has(shadow.version)) {
      const sv = versions.get(shadow.version)!;
      void timed(sv, 'shadow', { ...req, url }).then((res) => {
        const out = text(res.body);
        opts.log({ event: 'shadow', version: sv.version, status: res.status, answer: out.length > 2000 ? `${out.slice(0, 2000)}…` : out });
      });
    }
    return answer;
  }

  async function route(req: RampRequest): Promise<RampResponse> {
    const live = getLive();
    const path = (req.url || '/').split('?')[0]!;
    const prefix = `/v2/models/${encodeURIComponent(live.config.name)}`;
    const m = path.startsWith(prefix) ? /^(?:\/versions\/([^/]+))?(\/infer)?$/.exec(path.slice(prefix.length)) : null;
    if (m && m[2] && req.method === 'POST') {
      if (req.body.length > opts.maxBodyBytes) return reply(413, JSON.stringify({ error: `request body exceeds the ${opts.maxBodyBytes}-byte limit` }), JSON_TYPE, { connection: 'close' });
      return infer(req, live, m[1] ? decodeURIComponent(m[1]) : null);
    }
    if (m && m[1] && !live.versions.has(decodeURIComponent(m[1]))) return reply(404, JSON.stringify({ error: `version "${decodeURIComponent(m[1])}" is not deployed` }));
    if (path === '/metrics') return reply(200, metrics.render(live.config.name, live.config.routes), 'text/plain; version=0.0.4; charset=utf-8');
    // Everything else (health, metadata, the page, V1) is the main version's.
    const main = [...live.config.routes].sort((a, b) => b.weight - a.weight)[0]!;
    const v = m && m[1] ? live.versions.get(decodeURIComponent(m[1]))! : live.versions.get(main.version)!;
    return v.ramp.handle(req);
  }

  return async (req) => {
    metrics.inflight++;
    try {
      return await route(req);
    } finally {
      metrics.inflight--;
    }
  };
}

/** A ramp server for one version (its handler; the router is what listens). */
export function versionServer(version: string, model: Model, file: string, name: string, maxBodyBytes: number, serverVersion: string, log: PredictionLog | null): VersionServer {
  const ramp = createRampServer(model, { name, maxBodyBytes, version: serverVersion, file, format: '', modelVersion: version, ...(log ? { onInfer: (rows, predict) => log.record(rows, predict) } : {}) });
  return { version, model, file, ramp, log };
}
