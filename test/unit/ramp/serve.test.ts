// `ramp serve` against the real HTTP server (spawned bin, port 0).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectClose, expected, MODELS, ROOT } from './helpers.ts';
import { post, start, type Srv } from './serve-helpers.ts';

describe('ramp serve (classifier with string labels)', () => {
  let s: Srv;
  const exp = expected('rfc');
  beforeAll(async () => { s = await start('rfc.zlib.joblib', ['--name', 'iris']); }, 45_000);
  afterAll(() => { s.proc.kill('SIGKILL'); });

  it('health, server and model metadata', async () => {
    expect(await (await fetch(`${s.base}/v2/health/live`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${s.base}/v2/health/ready`)).json()).toEqual({ ready: true });
    const meta = await (await fetch(`${s.base}/v2`)).json();
    expect(meta.name).toBe('ramp');
    expect(meta.extensions).toEqual([]);
    const mm = await (await fetch(`${s.base}/v2/models/iris`)).json();
    expect(mm.name).toBe('iris');
    expect(mm.inputs).toEqual([{ name: 'input-0', datatype: 'FP64', shape: [-1, 4] }]);
    expect(mm.outputs).toEqual([{ name: 'predict', datatype: 'BYTES', shape: [-1] }, { name: 'predict_proba', datatype: 'FP64', shape: [-1, 3] }]);
    expect(await (await fetch(`${s.base}/v2/models/iris/ready`)).json()).toEqual({ name: 'iris', ready: true });
    expect((await fetch(`${s.base}/v1/models/iris`)).status).toBe(200);
  });

  it('V2 infer: flat and nested data, FP64/FP32/INT64/INT32, id echoed, predictions match sklearn', async () => {
    const n = exp.inputs.length;
    for (const [datatype, data] of [['FP64', exp.inputs.flat()], ['FP64', exp.inputs], ['FP32', exp.inputs]] as const) {
      const r = await post(`${s.base}/v2/models/iris/infer`, { id: 'req-1', inputs: [{ name: 'input-0', shape: [n, 4], datatype, data }] });
      expect(r.status).toBe(200);
      const j = await r.json();
      expect(j.id).toBe('req-1');
      expect(j.model_name).toBe('iris');
      const [pred, proba] = j.outputs;
      expect(pred).toMatchObject({ name: 'predict', datatype: 'BYTES', shape: [n] });
      expect(pred.data).toEqual(exp.predictions);
      expect(proba).toMatchObject({ name: 'predict_proba', datatype: 'FP64', shape: [n, 3] });
      if (datatype === 'FP64') expectClose(proba.data, exp.probabilities!.flat());
    }
    const ints = await post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'INT64', data: [5, 3, 1, 0] }] });
    expect(ints.status).toBe(200);
    const i32 = await post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'INT32', data: [[7, 3, 6, 2]] }], outputs: [{ name: 'predict' }] });
    const j = await i32.json();
    expect(j.outputs).toHaveLength(1);
    expect(j.outputs[0].data).toEqual(['virginica']);
  });

  it('V1 predict', async () => {
    const r = await post(`${s.base}/v1/models/iris:predict`, { instances: exp.inputs.slice(0, 3) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ predictions: exp.predictions!.slice(0, 3) });
  });

  it('bad requests get 4xx {"error"} naming the problem', async () => {
    const cases: Array<[Promise<Response>, number, RegExp]> = [
      [post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] }), 400, /3 features, the model expects 4/],
      [post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'BYTES', data: ['a', 'b', 'c', 'd'] }] }), 400, /unsupported datatype "BYTES"/],
      [post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [2, 4], datatype: 'FP64', data: [1, 2, 3, 4] }] }), 400, /data has 4 elements but its shape \[2, 4\] needs 8/],
      [post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'INT64', data: [1.5, 2, 3, 4] }] }), 400, /not an integer/],
      [post(`${s.base}/v2/models/iris/infer`, '{"inputs": [', {}), 400, /invalid JSON/],
      [post(`${s.base}/v2/models/iris/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP64', data: [1, 2, 3, 4] }], outputs: [{ name: 'nope' }] }), 400, /unknown output "nope"/],
      [post(`${s.base}/v2/models/other/infer`, {}), 404, /model "other" not found/],
      [post(`${s.base}/v1/models/iris:predict`, { instances: [[1, 2]] }), 400, /2 features/],
      [fetch(`${s.base}/v2/models/iris/infer`), 405, /method GET not allowed; use POST/],
      [fetch(`${s.base}/v2/health/live`, { method: 'DELETE' }), 405, /not allowed/],
      [fetch(`${s.base}/nope`), 404, /not found/],
      [post(`${s.base}/v2/models/iris/infer`, 'x'.repeat(1024 * 1024 + 10)), 413, /exceeds the 1048576-byte limit/],
    ];
    for (const [p, status, re] of cases) {
      const r = await p;
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/json/);
      expect((await r.json()).error).toMatch(re);
    }
    // chunked body over the limit (no Content-Length)
    const chunked = await new Promise<number>((resolve) => {
      const u = new URL(`${s.base}/v2/models/iris/infer`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', () => resolve(-1));
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 32));
      req.end();
    });
    expect([413, -1]).toContain(chunked);
    // still alive
    expect((await fetch(`${s.base}/v2/health/live`)).status).toBe(200);
  });

  it('/metrics in Prometheus text format', async () => {
    const t = await (await fetch(`${s.base}/metrics`)).text();
    expect(t).toMatch(/# TYPE ramp_http_requests_total counter/);
    expect(t).toMatch(/ramp_http_requests_total\{route="v2_infer",method="POST",status="200"\} \d+/);
    expect(t).toMatch(/ramp_http_request_errors_total\{route="v2_infer",status="400"\} \d+/);
    expect(t).toMatch(/# TYPE ramp_http_request_duration_seconds histogram/);
    expect(t).toMatch(/ramp_http_request_duration_seconds_bucket\{route="v2_infer",le="\+Inf"\} \d+/);
    expect(t).toMatch(/ramp_http_request_duration_seconds_count\{route="v2_infer"\} \d+/);
    expect(t).toMatch(/ramp_inference_rows_total\{model="iris"\} \d+/);
  });

  it('GET / is an accessible HTML page with model card, example curl and a form', async () => {
    const r = await fetch(`${s.base}/`);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const h = await r.text();
    expect(h).toMatch(/^<!doctype html>/);
    expect(h).toMatch(/<html lang="en">/);
    expect(h).toMatch(/RandomForestClassifier/);
    expect(h).toMatch(/setosa, versicolor, virginica/);
    expect(h).toMatch(/1\.2\.1/);
    expect(h).toMatch(/curl -s -X POST/);
    expect(h).toMatch(/\/v2\/models\/iris\/infer/);
    const inputs = h.match(/<input id="f(\d+)"/g)!;
    expect(inputs).toHaveLength(4);
    for (let i = 0; i < 4; i++) expect(h).toContain(`<label for="f${i}">`);
    expect(h).toMatch(/aria-live="polite"/);
    expect(h).not.toMatch(/<script[^>]*src=/); // self-contained
    // The page's script parses (a regex written inside the page template once became a comment).
    const scripts = [...h.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const code of scripts) expect(() => new Function(code)).not.toThrow();
  });
});

describe('ramp serve lifecycle', () => {
  it('regressor outputs FP64; SIGTERM drains in-flight requests and exits 0', async () => {
    const s = await start('gbr.p4.pkl');
    const e = expected('gbr');
    const r = await post(`${s.base}/v2/models/gbr/infer`, { inputs: [{ name: 'x', shape: [2, 5], datatype: 'FP64', data: e.inputs.slice(0, 2) }] });
    const j = await r.json();
    expect(j.outputs).toHaveLength(1);
    expect(j.outputs[0]).toMatchObject({ name: 'predict', datatype: 'FP64', shape: [2] });
    expectClose(j.outputs[0].data, e.predictions!.slice(0, 2));
    // an in-flight request: headers sent, body still streaming when SIGTERM arrives
    const u = new URL(`${s.base}/v2/models/gbr/infer`);
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 5], datatype: 'FP64', data: e.inputs[0] }] });
    const inflight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-length': Buffer.byteLength(body), 'content-type': 'application/json' } }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: b }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        s.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 200);
      }, 100);
    });
    const res = await inflight;
    expect(res.status).toBe(200);
    expectClose(JSON.parse(res.body).outputs[0].data, [e.predictions![0]]);
    expect(await s.exit).toBe(0);
    expect(s.out.some((l) => JSON.parse(l).event === 'stopped')).toBe(true);
  }, 45_000);

  it('port in use exits 1 with a clear error; human banner prints the URL', async () => {
    const s = await start('dtc.p4.pkl');
    const port = new URL(s.base).port;
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [BIN, 'serve', join(MODELS, 'dtc.p4.pkl'), '--port', port], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    expect(r.stderr).toMatch(/--port 0/);
    s.proc.kill('SIGINT');
    expect(await s.exit).toBe(0);
    const h = spawn(process.execPath, [BIN, 'serve', join(MODELS, 'dtc.p4.pkl'), '--port', '0'], { env: { ...process.env, NO_COLOR: '1' } });
    const banner = await new Promise<string>((resolve, reject) => {
      let b = '';
      let err = '';
      h.stdout.on('data', (d) => { b += d; if (b.includes('Ctrl+C')) resolve(b); });
      h.stderr.on('data', (d) => { err += d; });
      // A server that dies before its banner fails the test with what it said, instead of hanging.
      h.on('exit', (code) => reject(new Error(`ramp serve exited ${code} before its banner:\n${b}${err}`)));
    });
    expect(banner).toMatch(/^Serving dtc on http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/dtc\/infer/);
    const code = new Promise((r) => h.on('exit', r));
    h.kill('SIGTERM');
    expect(await code).toBe(0);
  }, 45_000);

  it('a SIGTERM sent the moment the address is printed drains and exits 0, every time', async () => {
    // Regression: the handlers used to be installed after the banner, so a quick signal killed it.
    for (let i = 0; i < 8; i++) {
      const h = spawn(process.execPath, [BIN, 'serve', join(MODELS, 'dtc.p4.pkl'), '--port', '0'], { env: { ...process.env, NO_COLOR: '1' } });
      await new Promise<void>((resolve, reject) => {
        h.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('Serving')) {
            h.kill('SIGTERM');
            resolve();
          }
        });
        h.on('exit', () => reject(new Error('exited before printing its address')));
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => h.on('exit', (c, sig) => r([c, sig])));
      expect({ run: i, code, signal }).toEqual({ run: i, code: 0, signal: null });
    }
  }, 60_000);
});
