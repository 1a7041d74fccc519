// `ramp serve --fault`: SPEC parsing (bad specs refused with a clear message), and the faults a real
// server injects, counted. No wall-clock assertions: seeded or certain faults, counts from /metrics.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaults, parseFaultSpec, routeOf, sampleLatency, seededRandom } from '../../../labs/ramp/src/faults.ts';
import { BIN, ROOT } from './helpers.ts';
import { post, start, type Srv } from './serve-helpers.ts';

const CHURN = join(ROOT, 'test', 'fixtures', 'churn', 'churn.joblib');
const ROWS = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'churn', 'rows.json'), 'utf8')) as { instances: unknown[] };
const infer = (s: Srv) => post(`${s.base}/v1/models/churn:predict`, { instances: ROWS.instances.slice(0, 1) });
const metric = async (s: Srv, re: RegExp): Promise<number> => Number(re.exec(await (await fetch(`${s.base}/metrics`)).text())?.[1] ?? 0);

describe('--fault SPEC parsing', () => {
  it('reads every key', () => {
    const r = parseFaultSpec('route=v2_infer,latency=50ms,latency-p99=2s,error-rate=0.2,status=429,retry-after=3,drop-rate=0.05,slow-body=1s,slow-body-rate=0.5,seed=7');
    expect(r).toMatchObject({ routes: ['v2_infer'], latencyMs: 50, p99Ms: 2000, errorRate: 0.2, status: 429, retryAfter: 3, dropRate: 0.05, slowBodyMs: 1000, slowBodyRate: 0.5, seed: 7 });
    expect(parseFaultSpec('error-rate=1,status=429')).toMatchObject({ routes: ['v2_infer', 'v1_predict'], retryAfter: 1, latencyMs: 0 });
    expect(parseFaultSpec('latency-p50=10ms,latency-p99=100ms')).toMatchObject({ latencyMs: 10, p99Ms: 100 });
    expect(parseFaults(['none'])).toEqual([]);
    expect(parseFaults(['latency=1s\nroute=v2_model_metadata,drop-rate=1'])).toHaveLength(2);
  });

  it.each([
    ['latency=200', /latency=200 is not a duration/, /latency=200ms/],
    ['error-rate=1.5', /not a fraction between 0 and 1/, /error-rate=0.2/],
    ['error-rate=0.7,drop-rate=0.5', /more than every request/, /at most 1/],
    ['status=503', /status is given without error-rate/, /Add error-rate/],
    ['error-rate=0.1,status=404', /status=404 is not a status ramp injects/, /429, 500, 502, 503, 504/],
    ['error-rate=0.1,status=500,retry-after=2', /retry-after goes with status 429 or 503/, /Retry-After/],
    ['route=predict', /unknown route "predict"/, /infer .*all/],
    ['latency-p99=2s', /latency-p99 needs a median/, /latency-p50/],
    ['latency=2s,latency-p99=1s', /must be above a median/, /latency-p50=50ms/],
    ['latency=1ms,latency-p50=1ms', /both given/, /give one of them/],
    ['jitter=5ms', /unknown key "jitter"/, /Keys: route, latency/],
    ['latency', /"latency" is not key=value/, /--fault latency=200ms/],
    ['seed=abc', /seed=abc is not a whole number/, /seed=42/],
    ['slow-body-rate=0.5', /without slow-body/, /slow-body=2s/],
    ['latency=1ms,latency=2ms', /given twice/, /once/],
  ])('refuses %s with what to write instead', (spec, msg, hint) => {
    let err: { message: string; hint: string; exitCode: number } | undefined;
    try { parseFaultSpec(spec); } catch (e) { err = e as typeof err; }
    expect(err?.message).toMatch(msg);
    expect(err?.message).toContain(`--fault "${spec}"`);
    expect(err?.hint).toMatch(hint);
    expect(err?.exitCode).toBe(2);
  });

  it('refuses two SPECs for one route', () => {
    expect(() => parseFaults(['error-rate=0.5', 'route=v1_predict,latency=1s'])).toThrow(/route v1_predict is in two SPECs/);
  });

  it('the CLI exits 2 with the message before loading the model', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', CHURN, '--fault', 'error-rate=0.2', '--fault', 'latency=2'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: --fault "latency=2": latency=2 is not a duration');
    expect(r.stderr).toContain('hint: Write it with a unit');
  });

  it('routes are named as in /metrics; a seeded distribution is reproducible with the asked median', () => {
    expect(['/v2/models/churn/infer', '/v2/models/churn/versions/3/infer', '/v1/models/churn:predict', '/v2/models/churn', '/v2/health/ready', '/metrics'].map(routeOf))
      .toEqual(['v2_infer', 'v2_infer', 'v1_predict', 'v2_model_metadata', 'v2_health_ready', 'unknown']);
    const rule = parseFaultSpec('latency=50ms,latency-p99=2s');
    const draw = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 20_001 }, () => sampleLatency(rule, r)); };
    const a = draw(3);
    expect(a).toEqual(draw(3));
    const sorted = [...a].sort((x, y) => x - y);
    expect(sorted[10_000]!).toBeGreaterThan(40);
    expect(sorted[10_000]!).toBeLessThan(60);
    expect(sorted[19_800]!).toBeGreaterThan(1500);
    expect(sorted[19_800]!).toBeLessThan(2600);
    expect(Math.max(...a)).toBeLessThanOrEqual(20_000);
  });
});

describe('ramp serve without --fault', () => {
  let s: Srv;
  beforeAll(async () => { s = await start(CHURN); }, 45_000);
  afterAll(() => { s.proc.kill('SIGKILL'); });
  it('says faults are off in /metrics and has no admin route', async () => {
    expect(await (await fetch(`${s.base}/metrics`)).text()).toContain('ramp_faults_enabled 0');
    expect((await fetch(`${s.base}/admin/faults`)).status).toBe(404);
    expect(JSON.parse(s.out[0]!).faults).toBeUndefined();
  });
});

describe('ramp serve --fault', () => {
  let s: Srv;
  beforeAll(async () => {
    s = await start(CHURN, ['--fault', 'error-rate=1,status=429,retry-after=2', '--fault', 'route=v2_model_metadata,drop-rate=1', '--fault', 'route=v2_health_live,slow-body=50ms', '--fault', 'route=v2_model_ready,latency=5ms']);
  }, 45_000);
  afterAll(() => { s.proc.kill('SIGKILL'); });

  it('announces the rules in its listening event', () => {
    expect(JSON.parse(s.out[0]!).faults.map((f: { route: string }) => f.route)).toEqual(['infer', 'v2_model_metadata', 'v2_health_live', 'v2_model_ready']);
  });

  it('answers errors with the chosen status and Retry-After, marked as injected', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await infer(s);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(r.headers.get('x-ramp-fault')).toBe('error');
      expect((await r.json()).error).toMatch(/^injected fault: 429 Too Many Requests/);
    }
    expect(await metric(s, /ramp_faults_injected_total\{route="v1_predict",fault="error_429"\} (\d+)/)).toBe(3);
  });

  it('drops connections, trickles bodies and delays, each counted; /metrics and other routes untouched', async () => {
    await expect(fetch(`${s.base}/v2/models/churn`)).rejects.toThrow();
    expect(await (await fetch(`${s.base}/v2/health/live`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${s.base}/v2/models/churn/ready`)).json()).toEqual({ name: 'churn', ready: true });
    expect((await fetch(`${s.base}/v2/health/ready`)).status).toBe(200);
    const text = await (await fetch(`${s.base}/metrics`)).text();
    expect(text).toContain('ramp_faults_enabled 1');
    expect(text).toContain('ramp_faults_injected_total{route="v2_model_metadata",fault="drop"} 1');
    expect(text).toContain('ramp_faults_injected_total{route="v2_health_live",fault="slow_body"} 1');
    expect(text).toContain('ramp_faults_injected_total{route="v2_model_ready",fault="latency"} 1');
    expect(text).toContain('ramp_fault_rule_info{route="infer",spec="error-rate=1,status=429,retry-after=2"} 1');
  });

  it('changes the rules while running through /admin/faults, and refuses bad ones with 400', async () => {
    const bad = await fetch(`${s.base}/admin/faults`, { method: 'PUT', body: 'latency=fast' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.stringMatching(/latency=fast is not a duration/), hint: expect.stringMatching(/200ms/) });
    expect((await infer(s)).status).toBe(429); // the old rules stay after a refused change
    const put = await fetch(`${s.base}/admin/faults`, { method: 'PUT', body: JSON.stringify({ faults: ['route=v2_infer,error-rate=1,status=500'] }) });
    expect((await put.json()).rules).toEqual([{ spec: 'route=v2_infer,error-rate=1,status=500', route: 'v2_infer', description: 'v2_infer: 100% 500' }]);
    expect((await infer(s)).status).toBe(200);
    expect((await fetch(`${s.base}/admin/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await (await fetch(`${s.base}/admin/faults`)).json()).rules).toEqual([]);
    expect((await fetch(`${s.base}/v2/models/churn`)).status).toBe(200);
    expect((await fetch(`${s.base}/admin/faults`, { method: 'PATCH' })).status).toBe(405);
  });

  it('a seeded error rate gives the same sequence every time the rule is set', async () => {
    const run = async (): Promise<number[]> => {
      await fetch(`${s.base}/admin/faults`, { method: 'PUT', body: 'error-rate=0.5,seed=42' });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await infer(s)).status);
      return statuses;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a.filter((x) => x === 503).length).toBeGreaterThan(3);
    expect(a.filter((x) => x === 200).length).toBeGreaterThan(3);
  });
});
