// `ramp serve`: a KServe V1 + Open Inference Protocol (V2) endpoint on node:http.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InputError, RampError } from './errors.ts';
import type { Model } from './estimators/index.ts';
import { atRow } from './estimators/index.ts';
import { v2Inputs } from './serve-inputs.ts';
import { jsonLabel, jsonNum, parseInstances, parseV2, rowAt, v2Datatype, type Rows } from './input.ts';
import { renderPage } from './page.ts';
import { FAULTS_OFF_METRICS, type FaultInjector } from './fault-injector.ts';

export interface ServeOptions {
  name: string;
  host: string;
  port: number;
  maxBodyBytes: number;
  version: string;
  file: string;
  format: string;
  /** `--fault`: wraps the listener; absent, the listener is the plain one. */
  faults?: FaultInjector;
  /** Served as one version behind a traffic split: every V2 answer says which (`model_version`). */
  modelVersion?: string;
  /** Called after each V2 inference (prediction logs); absent on the default fast path. */
  onInfer?: (rows: Rows, predict: string, proba: string) => void;
}

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

class Metrics {
  requests = new Map<string, number>();
  errors = new Map<string, number>();
  hist = new Map<string, { counts: number[]; sum: number; count: number }>();
  rows = 0;
  inflight = 0;
  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `route="${route}",method="${method}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (status >= 400) {
      const ek = `route="${route}",status="${status}"`;
      this.errors.set(ek, (this.errors.get(ek) ?? 0) + 1);
    }
    let h = this.hist.get(route);
    if (!h) { h = { counts: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 }; this.hist.set(route, h); }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) { h.counts[i] = h.counts[i]! + 1; break; }
    h.sum += seconds;
    h.count++;
  }
  render(model: string, estimator: string, sklearn: string | null): string {
    const l: string[] = [];
    l.push('# HELP ramp_http_requests_total HTTP requests by route, method and status code.', '# TYPE ramp_http_requests_total counter');
    for (const [k, v] of this.requests) l.push(`ramp_http_requests_total{${k}} ${v}`);
    l.push('# HELP ramp_http_request_errors_total HTTP requests answered with a 4xx or 5xx status.', '# TYPE ramp_http_request_errors_total counter');
    for (const [k, v] of this.errors) l.push(`ramp_http_request_errors_total{${k}} ${v}`);
    l.push('# HELP ramp_http_request_duration_seconds Time to answer a request.', '# TYPE ramp_http_request_duration_seconds histogram');
    for (const [route, h] of this.hist) {
      let cum = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        cum += h.counts[i]!;
        l.push(`ramp_http_request_duration_seconds_bucket{route="${route}",le="${BUCKETS[i]}"} ${cum}`);
      }
      l.push(`ramp_http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`);
      l.push(`ramp_http_request_duration_seconds_sum{route="${route}"} ${h.sum}`);
      l.push(`ramp_http_request_duration_seconds_count{route="${route}"} ${h.count}`);
    }
    l.push('# HELP ramp_inference_rows_total Rows predicted.', '# TYPE ramp_inference_rows_total counter', `ramp_inference_rows_total{model="${esc(model)}"} ${this.rows}`);
    l.push('# HELP ramp_http_requests_in_flight Requests being handled.', '# TYPE ramp_http_requests_in_flight gauge', `ramp_http_requests_in_flight ${this.inflight}`);
    l.push('# HELP ramp_model_info The served model.', '# TYPE ramp_model_info gauge', `ramp_model_info{model="${esc(model)}",estimator="${esc(estimator)}",sklearn_version="${esc(sklearn ?? 'unknown')}"} 1`);
    return l.join('\n') + '\n';
  }
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const JSON_TYPE = 'application/json';

export interface RampServer {
  server: Server;
  listen(): Promise<{ host: string; port: number }>;
  /** Stop accepting, let in-flight requests finish, then resolve. */
  drain(timeoutMs?: number): Promise<void>;
  metrics: Metrics;
  /** The request listener, for a router that serves several versions on one port. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

export function modelMetadata(model: Model, name: string): Record<string, unknown> {
  const outputs: Array<Record<string, unknown>> = [];
  if (model.task === 'classifier') {
    outputs.push({ name: 'predict', datatype: v2Datatype(model.labelType), shape: [-1] });
    if (model.hasProba !== false) outputs.push({ name: 'predict_proba', datatype: 'FP64', shape: [-1, model.classes!.length] });
  } else if (model.task === 'regressor') {
    outputs.push({ name: 'predict', datatype: 'FP64', shape: model.scalarOutput ? [-1] : [-1, model.nOutputs] });
  } else {
    outputs.push({ name: 'transform', datatype: 'FP64', shape: [-1, model.nOutputs] });
  }
  return {
    name,
    versions: [],
    platform: 'sklearn',
    inputs: v2Inputs(model),
    outputs,
    parameters: {
      estimator: model.estimator,
      sklearn_version: model.sklearnVersion,
      feature_names: model.featureNames,
      // Every column with its datatype (and the categories an encoder knows), whatever the tensors.
      columns: model.inputs.map((c, j) => ({ name: c.name ?? `feature ${j}`, datatype: c.kind === 'string' ? 'BYTES' : 'FP64', ...(c.categories ? { categories: c.categories } : {}) })),
      classes: model.classes?.map((c) => (typeof c === 'bigint' ? c.toString() : c)) ?? null,
    },
  };
}

export function createRampServer(model: Model, opts: ServeOptions): RampServer {
  const metrics = new Metrics();
  const name = opts.name;
  const enc = encodeURIComponent(name);
  const F = model.nFeatures;
  const K = model.classes ? model.classes.length : 0;
  const labelsJson = model.classes ? model.classes.map(jsonLabel) : [];
  const predictType = model.task === 'classifier' ? v2Datatype(model.labelType) : 'FP64';
  const mainOutput = model.task === 'transformer' ? 'transform' : 'predict';
  const valueBuf = new Float64Array(Math.max(1, model.nOutputs));
  const probaBuf = new Float64Array(Math.max(1, K));

  // precomputed bodies
  const pre = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
  const LIVE = pre({ live: true });
  const READY = pre({ ready: true });
  const SERVER_META = pre({ name: 'ramp', version: opts.version, extensions: [] });
  const MODEL_META = pre(modelMetadata(model, name));
  const MODEL_READY = pre({ name, ready: true });
  const V1_MODELS = pre({ models: [name] });
  const PAGE = Buffer.from(renderPage(model, { name, version: opts.version, file: opts.file, format: opts.format }));
  const modelNameJson = JSON.stringify(name) + (opts.modelVersion !== undefined ? `,"model_version":${JSON.stringify(opts.modelVersion)}` : '');

  let draining = false;

  function send(res: ServerResponse, route: string, method: string, status: number, type: string, body: Buffer | string, t0: number, extra?: Record<string, string>): void {
    const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length };
    if (extra) Object.assign(headers, extra);
    if (draining) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(body);
    metrics.observe(route, method, status, (performance.now() - t0) / 1000);
  }
  function sendError(res: ServerResponse, route: string, method: string, status: number, message: string, t0: number, extra?: Record<string, string>): void {
    send(res, route, method, status, JSON_TYPE, JSON.stringify({ error: message }), t0, extra);
  }

  function readBody(req: IncomingMessage, res: ServerResponse, route: string, t0: number, cb: (body: Buffer) => void): void {
    const len = req.headers['content-length'];
    if (len !== undefined && Number(len) > opts.maxBodyBytes) {
      sendError(res, route, 'POST', 413, `request body of ${len} bytes exceeds the ${opts.maxBodyBytes}-byte limit`, t0, { Connection: 'close' });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > opts.maxBodyBytes) {
        failed = true;
        sendError(res, route, 'POST', 413, `request body exceeds the ${opts.maxBodyBytes}-byte limit`, t0, { Connection: 'close' });
        res.once('finish', () => req.socket.destroySoon?.());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      cb(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', () => { failed = true; });
  }

  function parseJson(buf: Buffer): unknown {
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw new InputError(`invalid JSON: ${(e as Error).message}`);
    }
  }

  function infer(rows: Rows, wantPredict: boolean, wantProba: boolean): { predict: string; proba: string } {
    const n = rows.n;
    let predict = '';
    let proba = '';
    metrics.rows += n;
    if (model.task === 'classifier') {
      for (let i = 0; i < n; i++) {
        const x = rowAt(rows, i, F);
        atRow(i, () => {
          if (wantProba) {
            model.proba(x, probaBuf);
            for (let k = 0; k < K; k++) proba += (proba ? ',' : '') + jsonNum(probaBuf[k]!);
          }
          if (wantPredict) predict += (i ? ',' : '') + labelsJson[model.predictIndex(x)];
        });
      }
    } else {
      const w = model.nOutputs;
      for (let i = 0; i < n; i++) {
        atRow(i, () => model.predictValues(rowAt(rows, i, F), valueBuf));
        for (let k = 0; k < w; k++) predict += (predict ? ',' : '') + jsonNum(valueBuf[k]!);
      }
    }
    return { predict, proba };
  }

  function handleV2Infer(req: IncomingMessage, res: ServerResponse, t0: number): void {
    readBody(req, res, 'v2_infer', t0, (buf) => {
      try {
        const r = parseV2(parseJson(buf), model);
        let wantPredict = true;
        const hasProba = model.task === 'classifier' && model.hasProba !== false;
        let wantProba = hasProba;
        if (r.outputs) {
          for (const o of r.outputs) {
            if (o !== mainOutput && !(o === 'predict_proba' && hasProba)) {
              throw new InputError(`unknown output "${o}"; this model has: ${mainOutput}${hasProba ? ', predict_proba' : ''}`);
            }
          }
          wantPredict = r.outputs.includes(mainOutput);
          wantProba = r.outputs.includes('predict_proba');
        }
        const { predict, proba } = infer(r.rows, wantPredict, wantProba);
        if (opts.onInfer) opts.onInfer(r.rows, predict, proba);
        const n = r.rows.n;
        let out = `{"model_name":${modelNameJson}`;
        if (r.id !== undefined) out += `,"id":${JSON.stringify(r.id)}`;
        out += ',"outputs":[';
        let first = true;
        if (wantPredict) {
          const shape = model.task === 'classifier' || model.scalarOutput ? `[${n}]` : `[${n},${model.nOutputs}]`;
          out += `{"name":"${mainOutput}","datatype":"${predictType}","shape":${shape},"data":[${predict}]}`;
          first = false;
        }
        if (wantProba) out += `${first ? '' : ','}{"name":"predict_proba","datatype":"FP64","shape":[${n},${K}],"data":[${proba}]}`;
        out += ']}';
        send(res, 'v2_infer', 'POST', 200, JSON_TYPE, out, t0);
      } catch (e) {
        fail(res, 'v2_infer', 'POST', e, t0);
      }
    });
  }

  function handleV1Predict(req: IncomingMessage, res: ServerResponse, t0: number): void {
    readBody(req, res, 'v1_predict', t0, (buf) => {
      try {
        const body = parseJson(buf) as Record<string, unknown>;
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError('request body must be {"instances": [[...]]}');
        const inst = body.instances ?? body.inputs;
        if (inst === undefined) throw new InputError('request body has no "instances"', 'Send {"instances": [[...], ...]}.');
        const rows = parseInstances(inst, model);
        let out: string;
        if (model.task === 'classifier') {
          out = `{"predictions":[${infer(rows, true, false).predict}]}`;
        } else if (model.scalarOutput) {
          out = `{"predictions":[${infer(rows, true, false).predict}]}`;
        } else {
          const w = model.nOutputs;
          const parts: string[] = [];
          for (let i = 0; i < rows.n; i++) {
            atRow(i, () => model.predictValues(rowAt(rows, i, F), valueBuf));
            parts.push(`[${Array.from(valueBuf.subarray(0, w), jsonNum).join(',')}]`);
          }
          metrics.rows += rows.n;
          out = `{"predictions":[${parts.join(',')}]}`;
        }
        send(res, 'v1_predict', 'POST', 200, JSON_TYPE, out, t0);
      } catch (e) {
        fail(res, 'v1_predict', 'POST', e, t0);
      }
    });
  }

  function fail(res: ServerResponse, route: string, method: string, e: unknown, t0: number): void {
    if (e instanceof InputError || e instanceof RampError) sendError(res, route, method, 400, e.message, t0);
    else sendError(res, route, method, 500, `internal error: ${(e as Error)?.message ?? String(e)}`, t0);
  }

  function methodNotAllowed(res: ServerResponse, route: string, method: string, allow: string, t0: number): void {
    sendError(res, route, method, 405, `method ${method} not allowed; use ${allow}`, t0, { Allow: allow });
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const t0 = performance.now();
    metrics.inflight++;
    res.once('close', () => { metrics.inflight--; });
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    try {
      route(req, res, method, path, t0);
    } catch (e) {
      fail(res, 'unknown', method, e, t0);
    }
  };
  const server = createServer(opts.faults ? opts.faults.listener(handle) : handle);

  function getOnly(res: ServerResponse, route: string, method: string, t0: number, body: Buffer, type = JSON_TYPE): void {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, route, method, 'GET', t0);
    send(res, route, method, 200, type, body, t0);
  }

  function route(req: IncomingMessage, res: ServerResponse, method: string, path: string, t0: number): void {
    // hot path first
    if (path.startsWith('/v2/models/')) {
      const rest = path.slice('/v2/models/'.length);
      const slash = rest.indexOf('/');
      const mname = decodeURIComponentSafe(slash < 0 ? rest : rest.slice(0, slash));
      let tail = slash < 0 ? '' : rest.slice(slash);
      // accept /versions/<v> (single version served)
      const vm = /^\/versions\/[^/]+/.exec(tail);
      if (vm) tail = tail.slice(vm[0].length);
      const routeName = tail === '/infer' ? 'v2_infer' : tail === '/ready' ? 'v2_model_ready' : tail === '' ? 'v2_model_metadata' : 'unknown';
      if (routeName === 'unknown') return sendError(res, 'unknown', method, 404, `not found: ${path}`, t0);
      if (mname !== name) return sendError(res, routeName, method, 404, `model "${mname}" not found; this server serves "${name}"`, t0);
      if (routeName === 'v2_infer') {
        if (method !== 'POST') return methodNotAllowed(res, routeName, method, 'POST', t0);
        return handleV2Infer(req, res, t0);
      }
      if (routeName === 'v2_model_ready') return getOnly(res, routeName, method, t0, MODEL_READY);
      return getOnly(res, routeName, method, t0, MODEL_META);
    }
    if (path.startsWith('/v1/models/')) {
      const rest = path.slice('/v1/models/'.length);
      const colon = rest.lastIndexOf(':');
      const mname = decodeURIComponentSafe(colon < 0 ? rest : rest.slice(0, colon));
      const verb = colon < 0 ? '' : rest.slice(colon);
      const routeName = verb === ':predict' ? 'v1_predict' : verb === '' ? 'v1_model_ready' : 'unknown';
      if (routeName === 'unknown') return sendError(res, 'unknown', method, 404, `not found: ${path}`, t0);
      if (mname !== name) return sendError(res, routeName, method, 404, `model "${mname}" not found; this server serves "${name}"`, t0);
      if (routeName === 'v1_predict') {
        if (method !== 'POST') return methodNotAllowed(res, routeName, method, 'POST', t0);
        return handleV1Predict(req, res, t0);
      }
      return getOnly(res, routeName, method, t0, MODEL_READY);
    }
    switch (path) {
      case '/v2/health/live': return getOnly(res, 'v2_health_live', method, t0, LIVE);
      case '/v2/health/ready': return getOnly(res, 'v2_health_ready', method, t0, READY);
      case '/v2': case '/v2/': return getOnly(res, 'v2_metadata', method, t0, SERVER_META);
      case '/v1/models': return getOnly(res, 'v1_models', method, t0, V1_MODELS);
      case '/metrics':
        if (method !== 'GET') return methodNotAllowed(res, 'metrics', method, 'GET', t0);
        // observe first so the scrape counts itself consistently
        return send(res, 'metrics', method, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render(name, model.estimator, model.sklearnVersion) + (opts.faults ? opts.faults.render() : FAULTS_OFF_METRICS), t0);
      case '/': case '/index.html': return getOnly(res, 'page', method, t0, PAGE, 'text/html; charset=utf-8');
      default: return sendError(res, 'unknown', method, 404, `not found: ${path}`, t0);
    }
  }

  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"error":"malformed HTTP"}\n');
    else socket.destroy();
  });

  return {
    server,
    metrics,
    handle,
    listen: () =>
      new Promise((resolve, reject) => {
        const onErr = (e: NodeJS.ErrnoException): void => {
          if (e.code === 'EADDRINUSE') reject(new RampError(`port ${opts.port} on ${opts.host} is already in use`, { code: 'port_in_use', hint: 'Pick another port with --port, or --port 0 to choose a free one.' }));
          else if (e.code === 'EACCES') reject(new RampError(`no permission to listen on ${opts.host}:${opts.port}`, { code: 'port_denied', hint: 'Use a port above 1024.' }));
          else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new RampError(`cannot listen on host ${opts.host}`, { code: 'bad_host', hint: 'Use 127.0.0.1 or 0.0.0.0.' }));
          else reject(e);
        };
        server.once('error', onErr);
        server.listen(opts.port, opts.host, () => {
          server.off('error', onErr);
          const a = server.address();
          resolve({ host: opts.host, port: typeof a === 'object' && a ? a.port : opts.port });
        });
      }),
    drain: (timeoutMs = 10_000) =>
      new Promise<void>((resolve) => {
        draining = true;
        const timer = setInterval(() => server.closeIdleConnections(), 25);
        const hard = setTimeout(() => { server.closeAllConnections(); }, timeoutMs);
        server.close(() => {
          clearInterval(timer);
          clearTimeout(hard);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
