// ramp's host-agnostic core: it bundles for a browser with nothing from Node, and every command runs
// through run(argv, io) over a MemoryFs and a fake network, as the in-tab lab runtime runs it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { run, type RampHandler, type RampIO, type RampListener, type RampNet } from '../../../labs/ramp/src/core.ts';
import { MemoryFs } from '../../../labs/ramp/src/memory-fs.ts';
import { RAMP_SRC, rampDefines, yamlEsm } from '../../../labs/ramp/build.mjs';
import { MODELS, ROOT } from './helpers.ts';
import { until } from '../../helpers/until.ts';

const RELEASE = join(ROOT, 'test', 'fixtures', 'release');
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

interface Captured { out: string; err: string }

/** A fake network: remembers each listener's handler; a port listed in `taken` is in use. */
class FakeNet implements RampNet {
  handlers = new Map<number, RampHandler>();
  taken = new Set<number>();
  closed = 0;
  private next = 40000;
  async listen(opts: { host: string; port: number }, handler: RampHandler): Promise<RampListener> {
    if (this.taken.has(opts.port)) throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const port = opts.port || this.next++;
    this.handlers.set(port, handler);
    return { host: opts.host, port, close: async () => { this.handlers.delete(port); this.closed++; } };
  }
}

function io(fs: MemoryFs, net: RampNet, extra: Partial<RampIO> = {}): RampIO & { cap: Captured } {
  const cap: Captured = { out: '', err: '' };
  return {
    fs, net, cwd: '/lab', env: {},
    stdout: { write: (c) => { cap.out += typeof c === 'string' ? c : text(c); }, isTTY: false },
    stderr: { write: (c) => { cap.err += typeof c === 'string' ? c : text(c); }, isTTY: false },
    ...extra,
    cap,
  };
}

function lab(): MemoryFs {
  const fs = new MemoryFs();
  fs.mkdir('/lab');
  for (const f of ['rfc.joblib', 'rfc.gz.joblib', 'frame_churn.joblib']) fs.writeFile(`/lab/${f}`, readFileSync(join(MODELS, f)));
  for (const f of ['churn-v7.joblib', 'churn-v8.joblib', 'holdout.csv', 'recent.csv']) fs.writeFile(`/lab/release/${f}`, readFileSync(join(RELEASE, f)), { parents: true });
  fs.writeFile('/lab/rows.json', JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] }));
  return fs;
}

/** Until serve has listened (the fake network holds its handler). */
const listening = async (net: FakeNet): Promise<void> => {
  expect(await until(() => net.handlers.size === 1, 200, 50)).toBe(true);
};

describe('core.ts in a browser', () => {
  it('bundles for platform browser (no externals) with no node: import, require, process or Buffer', async () => {
    // Host globals are renamed where code uses them (not where a string or comment names them, as the
    // service-client template and yaml's messages do), so any use shows in the output.
    const hostGlobals = { process: '__HOST_PROCESS__', Buffer: '__HOST_BUFFER__', require: '__HOST_REQUIRE__', global: '__HOST_GLOBAL__' };
    const r = await build({ entryPoints: [join(RAMP_SRC, 'core.ts')], bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser', define: { ...rampDefines(), ...hostGlobals }, plugins: [yamlEsm], logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    const js = r.outputFiles[0]!.text;
    expect(js.length).toBeGreaterThan(100_000);
    const imports = Object.values(r.metafile!.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith('node:') || /^(fs|path|http|zlib|stream|url|string_decoder)$/.test(p))).toEqual([]);
    expect(Object.keys(r.metafile!.inputs).filter((f) => /node-host|cli\.ts/.test(f))).toEqual([]);
    for (const name of Object.values(hostGlobals)) expect(js, name).not.toContain(name);
    expect(js).not.toMatch(/\brequire\(/);
  }, 60_000);
});

describe('run(argv, io) over a MemoryFs', () => {
  it('inspect and scan a raw and a gzip joblib', async () => {
    const fs = lab();
    for (const f of ['rfc.joblib', 'rfc.gz.joblib']) {
      const a = io(fs, new FakeNet());
      expect(await run(['inspect', f], a)).toBe(0);
      expect(a.cap.out).toMatch(/RandomForestClassifier/);
      const b = io(fs, new FakeNet());
      expect(await run(['scan', f, '--json'], b)).toBe(0);
      expect(JSON.parse(b.cap.out)).toMatchObject({ safe: true, format: { compression: f.includes('.gz') ? 'gzip' : 'none' } });
    }
  });

  it('the decompressed-size limit holds for a gzip joblib', async () => {
    const a = io(lab(), new FakeNet());
    expect(await run(['scan', 'rfc.gz.joblib', '--max-bytes', '2000'], a)).toBe(4);
    expect(a.cap.err).toMatch(/limit/);
  });

  it('predict from a file and from standard input give the same predictions; a missing file is exit 1', async () => {
    const fs = lab();
    const a = io(fs, new FakeNet());
    expect(await run(['predict', 'rfc.joblib', '--input', 'rows.json', '--json'], a)).toBe(0);
    const b = io(fs, new FakeNet(), { stdin: () => fs.readFile('/lab/rows.json') });
    expect(await run(['predict', 'rfc.gz.joblib', '--input', '-', '--json'], b)).toBe(0);
    expect(JSON.parse(a.cap.out).predictions).toHaveLength(2);
    expect(JSON.parse(b.cap.out)).toEqual(JSON.parse(a.cap.out));
    const c = io(fs, new FakeNet());
    expect(await run(['predict', 'nope.joblib', '--input', 'rows.json'], c)).toBe(1);
    expect(c.cap.err).toMatch(/cannot read nope\.joblib: ENOENT/);
  });

  it('init writes the template into the MemoryFs and refuses a non-empty folder', async () => {
    const fs = lab();
    const a = io(fs, new FakeNet());
    expect(await run(['init', 'model-endpoint', 'ep', '--model', 'rfc.joblib'], a)).toBe(0);
    const files = fs.list('/lab/ep').filter((e) => e.type === 'file').map((e) => e.path);
    expect(files).toContain('/lab/ep/README.md');
    expect(text(fs.readFile('/lab/ep/README.md')).length).toBeGreaterThan(0);
    expect(await run(['init', 'model-endpoint', 'ep'], io(fs, new FakeNet()))).toBe(1);
  });

  it('validate and drift read models and CSVs from the MemoryFs', async () => {
    const fs = lab();
    const v = io(fs, new FakeNet());
    expect(await run(['validate', 'release/churn-v8.joblib', '--baseline', 'release/churn-v7.joblib', '--data', 'release/holdout.csv', '--target', 'churned', '--json'], v)).toBeLessThanOrEqual(6);
    expect(JSON.parse(v.cap.out)).toHaveProperty('verdict');
    const d = io(fs, new FakeNet());
    expect([0, 6]).toContain(await run(['drift', '--reference', 'release/holdout.csv', '--current', 'release/recent.csv', '--json'], d));
    expect(JSON.parse(d.cap.out).columns.length).toBeGreaterThan(0);
  });

  it('pipeline: init, check and run in the MemoryFs', async () => {
    const fs = lab();
    expect(await run(['init', 'pipeline', 'p', '--name', 'sales__shop__orders_daily'], io(fs, new FakeNet()))).toBe(0);
    const c = io(fs, new FakeNet(), { cwd: '/lab/p' });
    expect(await run(['pipeline', 'check', '--json'], c)).toBe(0);
    expect(JSON.parse(c.cap.out)).toMatchObject({ ok: true });
    const r = io(fs, new FakeNet(), { cwd: '/lab/p' });
    expect(await run(['pipeline', 'run', '--date', '2026-03-01', '--json'], r), r.cap.err).toBe(0);
    expect(fs.list('/lab/p').some((e) => e.path.endsWith('date=2026-03-01/part.csv'))).toBe(true);
  });

  it('contract export writes the model\'s interface', async () => {
    const a = io(lab(), new FakeNet());
    expect(await run(['contract', 'export', 'frame_churn.joblib'], a)).toBe(0);
    expect(JSON.parse(a.cap.out)).toMatchObject({ name: 'frame_churn' });
  });
});

describe('serve through a fake network', () => {
  const infer = (handler: RampHandler, body: unknown) => handler({ method: 'POST', url: '/v2/models/rfc/infer', headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode(JSON.stringify(body)) });

  it('a V2 infer request answers what predict says; aborting the signal drains and returns 0', async () => {
    const fs = lab();
    const net = new FakeNet();
    const ac = new AbortController();
    const s = io(fs, net, { signal: ac.signal });
    const serving = run(['serve', 'rfc.joblib', '--port', '0', '--json'], s);
    await listening(net);
    const [handler] = [...net.handlers.values()];
    const res = await infer(handler!, { inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP64', data: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] }] });
    expect(res.status).toBe(200);
    const body = JSON.parse(typeof res.body === 'string' ? res.body : text(res.body));
    const p = io(fs, net);
    expect(await run(['predict', 'rfc.joblib', '--input', 'rows.json', '--json'], p)).toBe(0);
    expect(body.outputs.find((o: { name: string }) => o.name === 'predict').data).toEqual(JSON.parse(p.cap.out).predictions);
    ac.abort('SIGTERM');
    expect(await serving).toBe(0);
    expect(net.closed).toBe(1);
    const events = s.cap.out.trim().split('\n').map((l) => JSON.parse(l).event);
    expect(events).toEqual(['listening', 'draining', 'stopped']);
  });

  it('two runs in one realm write to their own stdout: serve in the background, predict in the foreground', async () => {
    const fs = lab();
    const net = new FakeNet();
    const ac = new AbortController();
    const bg = io(fs, net, { signal: ac.signal });
    const serving = run(['serve', 'rfc.joblib', '--port', '0'], bg);
    await listening(net);
    const fg = io(fs, net);
    const [code] = await Promise.all([run(['predict', 'rfc.joblib', '--input', 'rows.json'], fg), infer([...net.handlers.values()][0]!, { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2] }] })]);
    expect(code).toBe(0);
    ac.abort();
    expect(await serving).toBe(0);
    expect(fg.cap.out).toMatch(/^row\s+prediction/);
    expect(fg.cap.out).not.toMatch(/Serving|Stopped/);
    expect(bg.cap.out).toMatch(/Serving rfc on http:\/\/127\.0\.0\.1:40000/);
    expect(bg.cap.out).toMatch(/Stopped\./);
    expect(bg.cap.out).not.toMatch(/row\s+prediction/);
  });

  it('a port in use is exit 1 with the usual message; --fault and --traffic run as handlers too', async () => {
    const fs = lab();
    const net = new FakeNet();
    net.taken.add(8080);
    const a = io(fs, net);
    expect(await run(['serve', 'rfc.joblib'], a)).toBe(1);
    expect(a.cap.err).toMatch(/port 8080 on 127\.0\.0\.1 is already in use/);
    const ac = new AbortController();
    const f = io(fs, net, { signal: ac.signal });
    const serving = run(['serve', 'rfc.joblib', '--port', '0', '--fault', 'error-rate=1,status=503'], f);
    await listening(net);
    const res = await infer([...net.handlers.values()][0]!, { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2] }] });
    expect(res.status).toBe(503);
    ac.abort();
    expect(await serving).toBe(0);
  });
});
