// `ramp serve --traffic traffic.yaml [--log-predictions DIR]`: the versions of one model behind
// one name, with weights, sticky routing, a shadow, and traffic.yaml watched for edits.
import { RampError } from '../errors.ts';
import type { Model } from '../estimators/index.ts';
import { basename } from '../path.ts';
import { loadReleaseModel } from '../release/load-model.ts';
import { readTraffic, type TrafficConfig } from '../traffic/config.ts';
import { TrafficMetrics } from '../traffic/metrics.ts';
import { PredictionLog } from '../traffic/prediction-log.ts';
import { createTrafficRouter, versionServer, type Live, type VersionServer } from '../traffic/router.ts';
import { bold, dim, print, type Out } from './output.ts';
import { interrupted, listenOn, urlOf } from './serve.ts';

export interface TrafficServeOptions {
  traffic: string;
  host: string;
  port: number;
  maxBodyBytes: number;
  logDir: string | null;
  serverVersion: string;
}

/** Builds every version's server, reusing those whose model file has not changed. */
function buildVersions(out: Out, cfg: TrafficConfig, prev: Map<string, VersionServer> | null, o: TrafficServeOptions): Map<string, VersionServer> {
  const versions = new Map<string, VersionServer>();
  for (const r of cfg.routes) {
    let stamp: string;
    try {
      stamp = `${r.model}:${out.fs.stat(r.model).mtimeMs}`;
    } catch {
      throw new RampError(`${o.traffic}: version ${r.version}: model file ${r.model} does not exist`, { code: 'bad_traffic', hint: 'Model paths are relative to traffic.yaml.' });
    }
    const old = prev?.get(r.version);
    if (old && old.file === stamp) { versions.set(r.version, old); continue; }
    const model = loadVersion(out, o.traffic, r.version, r.model);
    const log = o.logDir ? new PredictionLog(out.fs, o.logDir, cfg.name, r.version, model) : null;
    versions.set(r.version, versionServer(r.version, model, stamp, cfg.name, o.maxBodyBytes, o.serverVersion, log));
  }
  return versions;
}

/**
 * Loads one version's model with the safe unpickler. A refusal (an unsafe pickle: exit 3, a
 * malformed file: exit 4) names traffic.yaml, the version and the model file: at start it stops
 * the server; on a reload it is the reason the edit is refused and the last good config kept.
 */
function loadVersion(out: Out, traffic: string, version: string, file: string): Model {
  try {
    return loadReleaseModel(out.fs, file);
  } catch (e) {
    const err = e as RampError;
    const what = err.message.includes(file) ? err.message : `${file}: ${err.message}`;
    throw new RampError(`${traffic}: version ${version}: ${what}`, { code: err.code ?? 'error', exitCode: err.exitCode ?? 1, hint: err.hint ?? '' });
  }
}

const describeRoutes = (c: TrafficConfig): string => c.routes.map((r) => `${r.version}: ${r.shadow ? 'shadow' : `${r.weight}%`} (${basename(r.model)})`).join(', ');

export async function serveTraffic(opts: TrafficServeOptions, out: Out): Promise<number> {
  const emit = (e: Record<string, unknown>): void => {
    if (out.json) print(out, JSON.stringify(e));
    else if (e.event === 'shadow') { if (e.status !== 200) print(out, dim(out, `shadow ${e.version} answered ${e.status}: ${e.answer}`)); }
    else print(out, `${e.event === 'reload_refused' ? 'traffic.yaml refused, keeping the last good config' : String(e.event)}${e.reason ? `: ${e.reason}` : ''}${e.routes ? `: ${e.routes}` : ''}`);
  };
  const read = (): TrafficConfig => readTraffic(out.fs, out.io.cwd, opts.traffic);
  const first = read();
  let live: Live = { config: first, versions: buildVersions(out, first, null, opts) };
  const metrics = new TrafficMetrics();
  let lastText = JSON.stringify(first);
  const reload = (): void => {
    try {
      const cfg = read();
      const text = JSON.stringify(cfg);
      if (text === lastText) return;
      if (cfg.name !== live.config.name) throw new RampError(`model: the name changed from "${live.config.name}" to "${cfg.name}"; restart to rename`);
      live = { config: cfg, versions: buildVersions(out, cfg, live.versions, opts) };
      lastText = text;
      metrics.reloads.ok++;
      emit({ event: 'reloaded', routes: describeRoutes(cfg) });
    } catch (e) {
      metrics.reloads.refused++;
      emit({ event: 'reload_refused', reason: (e as Error).message });
    }
  };
  const handler = createTrafficRouter(() => live, metrics, { maxBodyBytes: opts.maxBodyBytes, log: emit });
  const stop = interrupted(out); // before the address is known (see serve.ts)
  const listener = await listenOn(out, { host: opts.host, port: opts.port }, opts.maxBodyBytes, handler);
  const stopWatching = watchFile(out, opts.traffic, reload);
  const url = urlOf(listener);
  if (out.json) print(out, JSON.stringify({ event: 'listening', name: first.name, url, port: listener.port, host: listener.host, routes: first.routes.map((r) => ({ version: r.version, weight: r.weight, shadow: r.shadow })) }));
  else {
    print(out, `Serving ${bold(out, first.name)} on ${url} — ${describeRoutes(first)}`);
    print(out, dim(out, `  ${first.routeBy ? `sticky by ${first.routeBy}` : 'no route_by: each request is routed at random by weight'} · one version: ${url}/v2/models/${first.name}/versions/V/infer · metrics: ${url}/metrics`));
    print(out, dim(out, `  watching ${opts.traffic}: edits apply without a restart${opts.logDir ? ` · logging predictions to ${opts.logDir}` : ''}. Press Ctrl+C to stop.`));
  }
  const sig = await stop;
  stopWatching();
  emit({ event: 'draining', signal: sig });
  await listener.close();
  await Promise.all([...live.versions.values()].map((v) => v.log?.close()));
  emit({ event: 'stopped' });
  return 0;
}

/** Calls `changed` when the file's size or modification time changes (polled, as fs.watchFile does). */
function watchFile(o: Out, file: string, changed: () => void): () => void {
  const stamp = (): string => {
    try {
      const st = o.fs.stat(file);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  let last = stamp();
  const timer = setInterval(() => {
    const now = stamp();
    if (now !== last) { last = now; changed(); }
  }, 200);
  return () => clearInterval(timer);
}

export const TRAFFIC_HELP = `
Traffic (several versions of one model):  ramp serve --traffic traffic.yaml [--log-predictions DIR]
  model: churn
  route_by: customer_id          # sticky: the same customer always meets the same version
  routes:                        # weights add up to 100; model paths are relative to the file
    - { version: 7, model: churn-v7.joblib, weight: 90 }
    - { version: 8, model: churn-v8.joblib, weight: 10 }
    - { version: 9, model: churn-v9.joblib, weight: 0, shadow: true }   # gets a copy; answer logged, never returned

  The routing key is the request's "parameters": {"customer_id": ...}, or an X-Customer-Id
  (X-Route-Key) header; without one, a request goes to a version at random by weight.
  POST /v2/models/NAME/versions/V/infer calls one version. Answers carry "model_version".
  /metrics: ramp_version_requests_total{version,role}, errors, latency, ramp_traffic_weight.
  traffic.yaml is watched: a canary step or a rollback (revert the file) applies without a
  restart; an invalid edit is refused, the reason printed, the last good config kept.
  --log-predictions DIR appends each version's inputs and predictions to DIR/NAME-V.csv
  (rotated at 64 MiB) for \`ramp drift --current\`.`;
