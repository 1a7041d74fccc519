// `ramp serve <model>`: the model's endpoint (serve.ts's handler) on the host's network, until
// the run is interrupted (io.signal); then in-flight requests finish and it returns 0.
import type { RampHandler, RampListener } from '../host.ts';
import { EXIT, RampError, UsageError } from '../errors.ts';
import { faultBanner, faultsFromFlag } from '../fault-injector.ts';
import { describeFormat } from '../load.ts';
import { exampleCurl, exampleRequest } from '../page.ts';
import { basename } from '../path.ts';
import { createRampServer } from '../serve.ts';
import { PredictionLog } from '../traffic/prediction-log.ts';
import { intFlag, keyOf, limitsOf, onePositional, type Parsed } from '../args.ts';
import { VERSION } from '../version.ts';
import { defaultName, loadModel } from './model-load.ts';
import { bold, dim, print, yellow, type Out } from './output.ts';
import { serveTraffic } from './serve-traffic.ts';

export interface Address {
  host: string;
  port: number;
}

/** Listens through io.net; a port in use, a port not allowed or an unknown host is a RampError. */
export async function listenOn(o: Out, addr: Address, maxBodyBytes: number, handler: RampHandler): Promise<RampListener> {
  try {
    return await o.io.net.listen({ ...addr, maxBodyBytes }, handler);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new RampError(`port ${addr.port} on ${addr.host} is already in use`, { code: 'port_in_use', hint: 'Pick another port with --port, or --port 0 to choose a free one.' });
    if (code === 'EACCES') throw new RampError(`no permission to listen on ${addr.host}:${addr.port}`, { code: 'port_denied', hint: 'Use a port above 1024.' });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new RampError(`cannot listen on host ${addr.host}`, { code: 'bad_host', hint: 'Use 127.0.0.1 or 0.0.0.0.' });
    throw e;
  }
}

/** Resolves with the interruption's name (SIGINT, SIGTERM…) when io.signal aborts; never without one. */
export function interrupted(o: Out): Promise<string> {
  const signal = o.io.signal;
  return new Promise((resolve) => {
    if (!signal) return;
    const name = (): string => (typeof signal.reason === 'string' ? signal.reason : 'SIGINT');
    if (signal.aborted) resolve(name());
    else signal.addEventListener('abort', () => resolve(name()), { once: true });
  });
}

export const urlOf = (a: Address): string => `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;

function addressOf(p: Parsed): Address & { maxBody: number } {
  return { host: (p.flags.get('--host') as string | undefined) ?? '127.0.0.1', port: intFlag(p, '--port', 8080, 0, 65535), maxBody: intFlag(p, '--max-body', 1024 * 1024, 1, 1024 * 1024 * 1024) };
}

export async function cmdServe(p: Parsed, o: Out): Promise<number> {
  const traffic = p.flags.get('--traffic') as string | undefined;
  const logDir = (p.flags.get('--log-predictions') as string | undefined) ?? null;
  if (traffic) {
    if (p.pos.length) throw new UsageError(`--traffic serves the models traffic.yaml names; drop ${p.pos[0]}`);
    const { host, port, maxBody } = addressOf(p);
    return serveTraffic({ traffic, host, port, maxBodyBytes: maxBody, logDir, serverVersion: VERSION }, o);
  }
  const file = onePositional(p, 'model file');
  const name = (p.flags.get('--name') as string | undefined) ?? defaultName(file);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name)) throw new UsageError(`invalid model name ${JSON.stringify(name)}`, 'Use letters, digits, ".", "_" or "-".');
  const { host, port, maxBody } = addressOf(p);
  const faults = faultsFromFlag(p.flags.get('--fault'));
  const { model, format } = loadModel(o.fs, file, limitsOf(p), keyOf(p));
  const log = logDir ? new PredictionLog(o.fs, logDir, name, '1', model) : null;
  const srv = createRampServer(model, { name, maxBodyBytes: maxBody, version: VERSION, file: basename(file), format: describeFormat(format), faults, ...(log ? { onInfer: (rows, predict) => log.record(rows, predict) } : {}) });
  // Watch for the interruption before anyone can learn the address: one that came between the
  // banner and the watch would end the process instead of draining it.
  const stop = interrupted(o);
  const listener = await listenOn(o, { host, port }, maxBody, srv.handle);
  const url = urlOf(listener);
  if (o.json) {
    print(o, JSON.stringify({ event: 'listening', name, url, port: listener.port, host: listener.host, estimator: model.estimator, example: exampleRequest(model), ...(faults ? { faults: faults.state().rules } : {}) }));
  } else {
    print(o, `Serving ${bold(o, name)} on ${url}`);
    print(o, dim(o, `  ${model.estimator}, ${model.nFeatures} features${model.classes ? `, ${model.classes.length} classes` : ''} · model card: ${url}/ · metrics: ${url}/metrics`));
    // A one-tensor example fits a terminal; one tensor per column does not: point to where it is.
    const curl = exampleCurl(model, url, name);
    if (curl.length <= 320) {
      print(o, 'Example request:');
      print(o, curl);
    } else {
      print(o, `Inputs: one tensor per column (${model.inputs.length}); GET ${url}/v2/models/${encodeURIComponent(name)} lists them, and ${url}/ has an example request.`);
    }
    if (faults) print(o, yellow(o, faultBanner(faults, url).join('\n')));
    print(o, dim(o, 'Press Ctrl+C to stop.'));
  }
  const sig = await stop;
  if (o.json) print(o, JSON.stringify({ event: 'draining', signal: sig }));
  else print(o, dim(o, `${sig}: finishing in-flight requests…`));
  await listener.close();
  await log?.close();
  if (o.json) print(o, JSON.stringify({ event: 'stopped' }));
  else print(o, 'Stopped.');
  return EXIT.OK;
}
