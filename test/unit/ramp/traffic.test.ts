// `ramp serve --traffic`: traffic.yaml checks, sticky and weighted routing, the shadow, direct
// version routes, per-version metrics, reloads under load and prediction logs.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, parseTraffic, pickVersion } from '../../../labs/ramp/src/traffic/config.ts';
import { BIN, HOSTILE, ramp, ROOT } from './helpers.ts';
import { post, type Srv } from './serve-helpers.ts';

const R = join(ROOT, 'test', 'fixtures', 'release');
const dir = mkdtempSync(join(tmpdir(), 'ramp-traffic-'));
for (const v of ['7', '8', '9']) copyFileSync(join(R, `churn-v${v}.joblib`), join(dir, `churn-v${v}.joblib`));
// A real fitted model with os.system hidden in an attribute: the safe unpickler refuses it (exit 3).
copyFileSync(join(HOSTILE, 'hidden_payload_model.pkl'), join(dir, 'churn-v10.pkl'));
const yaml = (w7: number, w8: number, shadow = true): string =>
  `model: churn\nroute_by: customer_id\nroutes:\n  - { version: 7, model: churn-v7.joblib, weight: ${w7} }\n  - { version: 8, model: churn-v8.joblib, weight: ${w8} }\n${shadow ? '  - { version: 9, model: churn-v9.joblib, weight: 0, shadow: true }\n' : ''}`;

const ROW = { tenure_months: 3, monthly_spend: 80, support_tickets: 4, days_since_login: 40, plan: 'basic', region: 'latam', contract: 'monthly' };
function request(customer: string | null): Record<string, unknown> {
  const inputs = Object.entries(ROW).map(([name, v]) => ({ name, shape: [1], datatype: typeof v === 'string' ? 'BYTES' : 'FP64', data: [v] }));
  return customer === null ? { inputs } : { parameters: { customer_id: customer }, inputs };
}

describe('traffic.yaml', () => {
  const f = join(dir, 'check.yaml');
  it.each([
    [yaml(90, 20), /routes: the weights add up to 110, not 100/],
    ['model: churn\nroutes:\n  - { version: 7, model: a.joblib, weight: 100 }\n  - { version: 7, model: b.joblib, weight: 0 }\n', /routes\.1\.version: version 7 is listed twice/],
    ['model: churn\nroutes:\n  - { version: 7, model: a.joblib, weight: 90 }\n  - { version: 8, model: b.joblib, weight: 10, shadow: true }\n', /routes\.1\.weight: a shadow version .* must have weight 0/],
    ['model: churn\nroutes:\n  - { version: 7, weight: 100 }\n', /routes\.0\.model/],
    ['model: churn\nroutes:\n  - { version: 7, model: a.joblib, weight: 100, canary: true }\n', /routes\.0: .*canary/],
    ['model: churn\nroutes: []\n', /routes:/],
    ['a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nmodel: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /refused|alias/i],
  ])('refuses a bad file with the file and field named (%#)', (text, msg) => {
    expect(() => parseTraffic(f, text as string)).toThrow(msg as RegExp);
    expect(() => parseTraffic(f, text as string)).toThrow(f);
  });

  it('refuses a missing model file when serving starts (exit 1)', () => {
    const bad = join(dir, 'missing.yaml');
    writeFileSync(bad, 'model: churn\nroutes:\n  - { version: 7, model: nope.joblib, weight: 100 }\n');
    const r = ramp(['serve', '--traffic', bad, '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/version 7: model file .*nope\.joblib does not exist/);
  });
});

describe('an unsafe model in traffic.yaml', () => {
  it('stops the server at start, naming traffic.yaml, the version and the model file (exit 3)', () => {
    const unsafe = join(dir, 'unsafe.yaml');
    writeFileSync(unsafe, 'model: churn\nroutes:\n  - { version: 7, model: churn-v7.joblib, weight: 90 }\n  - { version: 10, model: churn-v10.pkl, weight: 10 }\n');
    const r = ramp(['serve', '--traffic', unsafe, '--port', '0']);
    expect(r.status).toBe(3);
    expect(r.stdout).not.toMatch(/Serving/);
    expect(r.stderr).toContain(`${unsafe}: version 10: ${join(dir, 'churn-v10.pkl')}: refused global posix.system`);
    const j = ramp(['serve', '--traffic', unsafe, '--port', '0', '--json']);
    expect(j.status).toBe(3);
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'unsafe', message: expect.stringContaining('version 10: ') });
  });
});

describe('routing', () => {
  const cfg = parseTraffic(join(dir, 'x.yaml'), yaml(90, 10));
  it('is sticky: the same key always meets the same version', () => {
    for (let i = 0; i < 200; i++) expect(pickVersion(cfg.routes, bucketOf(`c${i}`))).toBe(pickVersion(cfg.routes, bucketOf(`c${i}`)));
  });
  it('splits keys by weight within a binomial bound, and never to the shadow', () => {
    const n = 20_000;
    let canary = 0;
    for (let i = 0; i < n; i++) {
      const v = pickVersion(cfg.routes, bucketOf(`customer-${i}`)).version;
      expect(v).not.toBe('9');
      if (v === '8') canary++;
    }
    const sd = Math.sqrt(n * 0.1 * 0.9);
    expect(Math.abs(canary - n * 0.1)).toBeLessThan(5 * sd);
  });
  it('raising the canary only moves keys from the baseline to the canary', () => {
    const later = parseTraffic(join(dir, 'x.yaml'), yaml(75, 25));
    for (let i = 0; i < 2000; i++) {
      const b = bucketOf(`k${i}`);
      if (pickVersion(cfg.routes, b).version === '8') expect(pickVersion(later.routes, b).version).toBe('8');
    }
  });
});

describe('ramp serve --traffic', () => {
  let srv: Srv;
  const traffic = join(dir, 'traffic.yaml');
  const logs = join(dir, 'logs');
  beforeAll(async () => {
    writeFileSync(traffic, yaml(90, 10));
    const proc = spawn(process.execPath, [BIN, 'serve', '--traffic', traffic, '--port', '0', '--json', '--log-predictions', logs], { cwd: ROOT });
    const out: string[] = [];
    const exit = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    const base = await new Promise<string>((resolve, reject) => {
      let buf = '';
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) { out.push(l); if (JSON.parse(l).event === 'listening') resolve(JSON.parse(l).url); }
      });
      proc.on('exit', (c) => reject(new Error(`exited ${c}`)));
    });
    srv = { proc, base, out, exit };
  }, 30_000);
  afterAll(async () => {
    srv?.proc.kill('SIGTERM');
    await srv?.exit;
  });
  const infer = async (customer: string | null, path = '/v2/models/churn/infer') => (await post(`${srv.base}${path}`, request(customer))).json() as Promise<Record<string, unknown>>;

  it('answers with the version that served, the same one for one customer', async () => {
    const first = await infer('c-1');
    for (let i = 0; i < 10; i++) expect((await infer('c-1')).model_version).toBe(first.model_version);
  });

  it('routes to one version directly, and 404s an unknown one', async () => {
    expect((await infer(null, '/v2/models/churn/versions/8/infer')).model_version).toBe('8');
    const r = await post(`${srv.base}/v2/models/churn/versions/5/infer`, request(null));
    expect(r.status).toBe(404);
  });

  it('never returns the shadow\'s answer', async () => {
    for (let i = 0; i < 20; i++) {
      const routed = await infer(`s-${i}`);
      const direct = await infer(null, `/v2/models/churn/versions/${routed.model_version as string}/infer`);
      expect(routed).toEqual(direct);
    }
    const metrics = await (await fetch(`${srv.base}/metrics`)).text();
    expect(metrics).toMatch(/ramp_version_requests_total\{model="churn",version="9",role="shadow"\} [1-9]/);
  });

  it('applies edits without a restart, loses no request under load, refuses a bad edit, and rolls back', async () => {
    let stop = false;
    const statuses: number[] = [];
    const load = Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) statuses.push((await post(`${srv.base}/v2/models/churn/infer`, request(`w${w}-${i % 50}`))).status);
    }));
    const waitFor = async (pattern: RegExp): Promise<void> => {
      for (let i = 0; i < 100 && !srv.out.some((l) => pattern.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
    };
    writeFileSync(traffic, yaml(50, 50));
    await waitFor(/"reloaded".*7: 50%/);
    writeFileSync(traffic, yaml(50, 40));
    await waitFor(/reload_refused.*add up to 90/);
    writeFileSync(traffic, yaml(100, 0, false));
    await waitFor(/"reloaded".*7: 100%.*8: 0%/);
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (let i = 0; i < 30; i++) expect((await infer(`after-${i}`)).model_version).toBe('7');
    expect(srv.out.some((l) => /reload_refused.*traffic\.yaml: routes: the weights add up to 90/.test(l))).toBe(true);
  }, 60_000);

  it('refuses a reload that names an unsafe model, says why, and keeps the last good config', async () => {
    // The last good config: everything on version 7 (the rollback above).
    const refusedBefore = /ramp_traffic_reloads_total\{result="refused"\} (\d+)/.exec(await (await fetch(`${srv.base}/metrics`)).text())![1];
    writeFileSync(traffic, 'model: churn\nroute_by: customer_id\nroutes:\n  - { version: 7, model: churn-v7.joblib, weight: 50 }\n  - { version: 10, model: churn-v10.pkl, weight: 50 }\n');
    const pattern = /reload_refused.*traffic\.yaml: version 10: .*churn-v10\.pkl: refused global posix\.system/;
    for (let i = 0; i < 100 && !srv.out.some((l) => pattern.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(srv.out.filter((l) => pattern.test(l))).toHaveLength(1);
    const metrics = await (await fetch(`${srv.base}/metrics`)).text();
    expect(metrics).toContain(`ramp_traffic_reloads_total{result="refused"} ${Number(refusedBefore) + 1}`);
    expect(metrics).toContain('ramp_traffic_weight{model="churn",version="7",shadow="false"} 100');
    expect(metrics).not.toMatch(/version="10"/);
    for (let i = 0; i < 30; i++) expect((await infer(`unsafe-${i}`)).model_version).toBe('7');
    expect((await post(`${srv.base}/v2/models/churn/versions/10/infer`, request(null))).status).toBe(404);
    writeFileSync(traffic, yaml(100, 0, false)); // the file back as the server has it
  }, 30_000);

  it('logs each version\'s inputs and predictions as CSV that ramp drift reads', async () => {
    await infer(null, '/v2/models/churn/versions/7/infer');
    await new Promise((r) => setTimeout(r, 200));
    const text = readFileSync(join(logs, 'churn-7.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('tenure_months,monthly_spend,support_tickets,days_since_login,plan,region,contract,model_version,prediction');
    expect(text).toMatch(/\n3,80,4,40,basic,latam,monthly,7,1\n/);
    const d = ramp(['drift', '--reference', join(R, 'train.csv'), '--current', join(logs, 'churn-7.csv'), '--json']);
    expect([0, 6]).toContain(d.status);
    expect(d.json().columns.map((c: { column: string }) => c.column)).toContain('monthly_spend');
  });
});
