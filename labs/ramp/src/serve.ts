// `ramp serve`: a KServe V1 + Open Inference Protocol (V2) endpoint, as a RampHandler (request
// in, response out, plain objects); the host listens (node-host.ts on Node, the tab's network).
import type { RampHandler, RampRequest, RampResponse } from './host.ts';
import type { Model } from './estimators/index.ts';
import { v2Inputs } from './serve-inputs.ts';
import { v2Datatype, type Rows } from './input.ts';
import { renderPage } from './page.ts';
import { FAULTS_OFF_METRICS, type FaultInjector } from './fault-injector.ts';
import { Answers, JSON_TYPE, Metrics } from './serve-metrics.ts';
import { createInference } from './serve-infer.ts';

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

const UTF8 = new TextEncoder();

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
  const answers = new Answers(metrics);
  const inference = createInference(model, opts, answers);
  const name = opts.name;

  // precomputed bodies
  const pre = (o: unknown): Uint8Array => UTF8.encode(JSON.stringify(o));
  const LIVE = pre({ live: true });
  const READY = pre({ ready: true });
  const SERVER_META = pre({ name: 'ramp', version: opts.version, extensions: [] });
  const MODEL_META = pre(modelMetadata(model, name));
  const MODEL_READY = pre({ name, ready: true });
  const V1_MODELS = pre({ models: [name] });
  const PAGE = UTF8.encode(renderPage(model, { name, version: opts.version, file: opts.file, format: opts.format }));

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
      return answers.fail('unknown', method, e, t0);
    } finally {
      metrics.inflight--;
    }
  };

  function getOnly(route: string, method: string, t0: number, body: Uint8Array, type = JSON_TYPE): RampResponse {
    if (method !== 'GET' && method !== 'HEAD') return answers.methodNotAllowed(route, method, 'GET', t0);
    return answers.send(route, method, 200, type, body, t0);
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
      if (routeName === 'unknown') return answers.error('unknown', method, 404, `not found: ${path}`, t0);
      if (mname !== name) return answers.error(routeName, method, 404, `model "${mname}" not found; this server serves "${name}"`, t0);
      if (routeName === 'v2_infer') {
        if (method !== 'POST') return answers.methodNotAllowed(routeName, method, 'POST', t0);
        return inference.v2(req, t0);
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
      if (routeName === 'unknown') return answers.error('unknown', method, 404, `not found: ${path}`, t0);
      if (mname !== name) return answers.error(routeName, method, 404, `model "${mname}" not found; this server serves "${name}"`, t0);
      if (routeName === 'v1_predict') {
        if (method !== 'POST') return answers.methodNotAllowed(routeName, method, 'POST', t0);
        return inference.v1(req, t0);
      }
      return getOnly(routeName, method, t0, MODEL_READY);
    }
    switch (path) {
      case '/v2/health/live': return getOnly('v2_health_live', method, t0, LIVE);
      case '/v2/health/ready': return getOnly('v2_health_ready', method, t0, READY);
      case '/v2': case '/v2/': return getOnly('v2_metadata', method, t0, SERVER_META);
      case '/v1/models': return getOnly('v1_models', method, t0, V1_MODELS);
      case '/metrics':
        if (method !== 'GET') return answers.methodNotAllowed('metrics', method, 'GET', t0);
        // observe first so the scrape counts itself consistently
        return answers.send('metrics', method, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render(name, model.estimator, model.sklearnVersion) + (opts.faults ? opts.faults.render() : FAULTS_OFF_METRICS), t0);
      case '/': case '/index.html': return getOnly('page', method, t0, PAGE, 'text/html; charset=utf-8');
      default: return answers.error('unknown', method, 404, `not found: ${path}`, t0);
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
