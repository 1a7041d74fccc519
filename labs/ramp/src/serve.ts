// `ramp serve`: a KServe V1 + Open Inference Protocol (V2) endpoint, as a RampHandler (request
// in, response out, plain objects); the host listens (node-host.ts on Node, the tab's network).
import type { RampHandler, RampRequest, RampResponse } from './host.ts';
import { InputError, RampError } from './errors.ts';
import type { Model } from './estimators/index.ts';
import { atRow } from './estimators/index.ts';
import { v2Inputs } from './serve-inputs.ts';
import { jsonLabel, jsonNum, parseInstances, parseV2, rowAt, v2Datatype, type Rows } from './input.ts';
import { renderPage } from './page.ts';
import { FAULTS_OFF_METRICS, type FaultInjector } from './fault-injector.ts';

export interface ServeOptions {
  name: string;
  maxBodyBytes: number;
  version: string;
  file: string;
  format: string;
  /** `--fault`: wraps the handler; absent, the handler is the plain one. */
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
const UTF8 = new TextEncoder();
const UTF8_IN = new TextDecoder();

export interface RampServer {
  metrics: Metrics;
  /** Answers a request (with the faults of `--fault`, if any); a router calls it for a version. */
  handle: RampHandler;
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
  const pre = (o: unknown): Uint8Array => UTF8.encode(JSON.stringify(o));
  const LIVE = pre({ live: true });
  const READY = pre({ ready: true });
  const SERVER_META = pre({ name: 'ramp', version: opts.version, extensions: [] });
  const MODEL_META = pre(modelMetadata(model, name));
  const MODEL_READY = pre({ name, ready: true });
  const V1_MODELS = pre({ models: [name] });
  const PAGE = UTF8.encode(renderPage(model, { name, version: opts.version, file: opts.file, format: opts.format }));
  const modelNameJson = JSON.stringify(name) + (opts.modelVersion !== undefined ? `,"model_version":${JSON.stringify(opts.modelVersion)}` : '');

  function send(route: string, method: string, status: number, type: string, body: Uint8Array | string, t0: number, extra?: Record<string, string>): RampResponse {
    const headers: Record<string, string> = { 'content-type': type };
    if (extra) Object.assign(headers, extra);
    metrics.observe(route, method, status, (performance.now() - t0) / 1000);
    return { status, headers, body };
  }
  function sendError(route: string, method: string, status: number, message: string, t0: number, extra?: Record<string, string>): RampResponse {
    return send(route, method, status, JSON_TYPE, JSON.stringify({ error: message }), t0, extra);
  }

  /** The body, or a 413 answer when it is over --max-body (the host may have stopped reading). */
  function tooLarge(req: RampRequest, route: string, t0: number): RampResponse | null {
    const len = req.headers['content-length'];
    if (len !== undefined && Number(len) > opts.maxBodyBytes) return sendError(route, 'POST', 413, `request body of ${len} bytes exceeds the ${opts.maxBodyBytes}-byte limit`, t0, { connection: 'close' });
    if (req.body.length > opts.maxBodyBytes) return sendError(route, 'POST', 413, `request body exceeds the ${opts.maxBodyBytes}-byte limit`, t0, { connection: 'close' });
    return null;
  }

  function parseJson(buf: Uint8Array): unknown {
    try {
      return JSON.parse(UTF8_IN.decode(buf));
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

  function handleV2Infer(req: RampRequest, t0: number): RampResponse {
    const over = tooLarge(req, 'v2_infer', t0);
    if (over) return over;
    try {
      const r = parseV2(parseJson(req.body), model);
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
      return send('v2_infer', 'POST', 200, JSON_TYPE, out, t0);
    } catch (e) {
      return fail('v2_infer', 'POST', e, t0);
    }
  }

  function handleV1Predict(req: RampRequest, t0: number): RampResponse {
    const over = tooLarge(req, 'v1_predict', t0);
    if (over) return over;
    try {
      const body = parseJson(req.body) as Record<string, unknown>;
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
      return send('v1_predict', 'POST', 200, JSON_TYPE, out, t0);
    } catch (e) {
      return fail('v1_predict', 'POST', e, t0);
    }
  }

  function fail(route: string, method: string, e: unknown, t0: number): RampResponse {
    if (e instanceof InputError || e instanceof RampError) return sendError(route, method, 400, e.message, t0);
    return sendError(route, method, 500, `internal error: ${(e as Error)?.message ?? String(e)}`, t0);
  }

  function methodNotAllowed(route: string, method: string, allow: string, t0: number): RampResponse {
    return sendError(route, method, 405, `method ${method} not allowed; use ${allow}`, t0, { allow });
  }

  const plain: RampHandler = async (req) => {
    const t0 = performance.now();
    metrics.inflight++;
    const method = req.method || 'GET';
    const url = req.url || '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    try {
      return route(req, method, path, t0);
    } catch (e) {
      return fail('unknown', method, e, t0);
    } finally {
      metrics.inflight--;
    }
  };

  function getOnly(route: string, method: string, t0: number, body: Uint8Array, type = JSON_TYPE): RampResponse {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(route, method, 'GET', t0);
    return send(route, method, 200, type, body, t0);
  }

  function route(req: RampRequest, method: string, path: string, t0: number): RampResponse {
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
      if (routeName === 'unknown') return sendError('unknown', method, 404, `not found: ${path}`, t0);
      if (mname !== name) return sendError(routeName, method, 404, `model "${mname}" not found; this server serves "${name}"`, t0);
      if (routeName === 'v2_infer') {
        if (method !== 'POST') return methodNotAllowed(routeName, method, 'POST', t0);
        return handleV2Infer(req, t0);
      }
      if (routeName === 'v2_model_ready') return getOnly(routeName, method, t0, MODEL_READY);
      return getOnly(routeName, method, t0, MODEL_META);
    }
    if (path.startsWith('/v1/models/')) {
      const rest = path.slice('/v1/models/'.length);
      const colon = rest.lastIndexOf(':');
      const mname = decodeURIComponentSafe(colon < 0 ? rest : rest.slice(0, colon));
      const verb = colon < 0 ? '' : rest.slice(colon);
      const routeName = verb === ':predict' ? 'v1_predict' : verb === '' ? 'v1_model_ready' : 'unknown';
      if (routeName === 'unknown') return sendError('unknown', method, 404, `not found: ${path}`, t0);
      if (mname !== name) return sendError(routeName, method, 404, `model "${mname}" not found; this server serves "${name}"`, t0);
      if (routeName === 'v1_predict') {
        if (method !== 'POST') return methodNotAllowed(routeName, method, 'POST', t0);
        return handleV1Predict(req, t0);
      }
      return getOnly(routeName, method, t0, MODEL_READY);
    }
    switch (path) {
      case '/v2/health/live': return getOnly('v2_health_live', method, t0, LIVE);
      case '/v2/health/ready': return getOnly('v2_health_ready', method, t0, READY);
      case '/v2': case '/v2/': return getOnly('v2_metadata', method, t0, SERVER_META);
      case '/v1/models': return getOnly('v1_models', method, t0, V1_MODELS);
      case '/metrics':
        if (method !== 'GET') return methodNotAllowed('metrics', method, 'GET', t0);
        // observe first so the scrape counts itself consistently
        return send('metrics', method, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render(name, model.estimator, model.sklearnVersion) + (opts.faults ? opts.faults.render() : FAULTS_OFF_METRICS), t0);
      case '/': case '/index.html': return getOnly('page', method, t0, PAGE, 'text/html; charset=utf-8');
      default: return sendError('unknown', method, 404, `not found: ${path}`, t0);
    }
  }

  return { metrics, handle: opts.faults ? opts.faults.wrap(plain) : plain };
}
function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
