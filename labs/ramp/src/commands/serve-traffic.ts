// `ramp serve --traffic traffic.yaml [--log-predictions DIR]`: the versions of one model behind
// one name, with weights, sticky routing, a shadow, and traffic.yaml watched for edits.
import { statSync, unwatchFile, watchFile } from 'node:fs';
import { basename } from 'node:path';
import { RampError } from '../errors.ts';
import { loadReleaseModel } from '../release/load-model.ts';
import { readTraffic, type TrafficConfig } from '../traffic/config.ts';
import { TrafficMetrics } from '../traffic/metrics.ts';
import { PredictionLog } from '../traffic/prediction-log.ts';
import { createTrafficRouter, versionServer, type Live, type VersionServer } from '../traffic/router.ts';
import { bold, dim, print, type Out } from './output.ts';

export interface TrafficServeOptions {
  traffic: string;
  host: string;
  port: number;
  maxBodyBytes: number;
  logDir: string | null;
  serverVersion: string;
}

/** Builds every version's server, reusing those whose model file has not changed. */
function buildVersions(cfg: TrafficConfig, prev: Map<string, VersionServer> | null, o: TrafficServeOptions): Map<string, VersionServer> {
  const out = new Map<string, VersionServer>();
  for (const r of cfg.routes) {
    let stamp: string;
    try {
      stamp = `${r.model}:${statSync(r.model).mtimeMs}`;
    } catch {
      throw new RampError(`${o.traffic}: version ${r.version}: model file ${r.model} does not exist`, { code: 'bad_traffic', hint: 'Model paths are relative to traffic.yaml.' });
    }
    const old = prev?.get(r.version);
    if (old && old.file === stamp) { out.set(r.version, old); continue; }
    let model;
    try {
      model = loadReleaseModel(r.model);
    } catch (e) {
      throw new RampError(`${o.traffic}: version ${r.version}: ${(e as Error).message}`, { code: (e as RampError).code ?? 'error', exitCode: (e as RampError).exitCode ?? 1, hint: (e as RampError).hint ?? '' });
    }
    const log = o.logDir ? new PredictionLog(o.logDir, cfg.name, r.version, model) : null;
    out.set(r.version, versionServer(r.version, model, stamp, cfg.name, o.maxBodyBytes, o.serverVersion, log));
  }
  return out;
}

const describeRoutes = (c: TrafficConfig): string => c.routes.map((r) => `${r.version}: ${r.shadow ? 'shadow' : `${r.weight}%`} (${basename(r.model)})`).join(', ');

export async function serveTraffic(opts: TrafficServeOptions, out: Out): Promise<number> {
  const emit = (e: Record<string, unknown>): void => {
    if (out.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    else if (e.event === 'shadow') { if (e.status !== 200) print(dim(out, `shadow ${e.version} answered ${e.status}: ${e.answer}`)); }
    else print(`${e.event === 'reload_refused' ? 'traffic.yaml refused, keeping the last good config' : String(e.event)}${e.reason ? `: ${e.reason}` : ''}${e.routes ? `: ${e.routes}` : ''}`);
  };
  const first = readTraffic(opts.traffic);
  let live: Live = { config: first, versions: buildVersions(first, null, opts) };
  const metrics = new TrafficMetrics();
  const router = createTrafficRouter(() => live, metrics, { host: opts.host, port: opts.port, maxBodyBytes: opts.maxBodyBytes, log: emit });
  let lastText = '';
  const reload = (): void => {
    try {
      const cfg = readTraffic(opts.traffic);
      const text = JSON.stringify(cfg);
      if (text === lastText) return;
      if (cfg.name !== live.config.name) throw new RampError(`model: the name changed from "${live.config.name}" to "${cfg.name}"; restart to rename`);
      live = { config: cfg, versions: buildVersions(cfg, live.versions, opts) };
      lastText = text;
      metrics.reloads.ok++;
      emit({ event: 'reloaded', routes: describeRoutes(cfg) });
    } catch (e) {
      metrics.reloads.refused++;
      emit({ event: 'reload_refused', reason: (e as Error).message });
    }
  };
  lastText = JSON.stringify(first);
  const exited = new Promise<number>((resolveExit) => {
    const stop = (sig: string): void => {
      unwatchFile(opts.traffic);
      emit({ event: 'draining', signal: sig });
      const hard = setTimeout(() => router.server.closeAllConnections(), 10_000);
      router.server.close(() => {
        clearTimeout(hard);
        void Promise.all([...live.versions.values()].map((v) => v.log?.close())).then(() => { emit({ event: 'stopped' }); resolveExit(0); });
      });
      router.server.closeIdleConnections();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  const addr = await router.listen();
  watchFile(opts.traffic, { interval: 200 }, reload);
  const url = `http://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
  if (out.json) process.stdout.write(`${JSON.stringify({ event: 'listening', name: first.name, url, port: addr.port, host: addr.host, routes: first.routes.map((r) => ({ version: r.version, weight: r.weight, shadow: r.shadow })) })}\n`);
  else {
    print(`Serving ${bold(out, first.name)} on ${url} — ${describeRoutes(first)}`);
    print(dim(out, `  ${first.routeBy ? `sticky by ${first.routeBy}` : 'no route_by: each request is routed at random by weight'} · one version: ${url}/v2/models/${first.name}/versions/V/infer · metrics: ${url}/metrics`));
    print(dim(out, `  watching ${opts.traffic}: edits apply without a restart${opts.logDir ? ` · logging predictions to ${opts.logDir}` : ''}. Press Ctrl+C to stop.`));
  }
  return exited;
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
