// Endpoint benchmark: `ramp serve` vs FastAPI + uvicorn + scikit-learn on the same models.
//
//   node bench/endpoint/run.mjs            (BENCH_DURATION=10 seconds per run by default)
//
// Prints requests/s and p50/p99 latency per server, model and concurrency, the
// ratios, and checks both servers agree on predictions for a sample of rows.
// Needs: /usr/bin/python3 with python3-fastapi, python3-uvicorn, python3-sklearn.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const rows = JSON.parse(readFileSync(join(root, 'bench', 'models', 'rows.json'), 'utf8'));
const MODELS = [
  { name: 'rf', file: 'bench/models/rf100.joblib', label: 'RandomForest (100 trees, 20 features)' },
  { name: 'logreg', file: 'bench/models/logreg.joblib', label: 'LogisticRegression (20 features)' },
];

const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) return; } catch {}
    await sleep(100);
  }
  throw new Error(`server at ${url} never became ready`);
}

async function startRamp(m) {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(root, 'labs/ramp/bin/ramp.mjs'), 'serve', join(root, m.file), '--name', m.name, '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/v2/health/ready`);
  return { proc, base };
}

async function startFastapi(m) {
  const port = await freePort();
  const proc = spawn('/usr/bin/python3', ['-m', 'uvicorn', 'fastapi_app:app', '--app-dir', join(root, 'bench/endpoint'), '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning', '--no-access-log'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, MODEL: join(root, m.file), MODEL_NAME: m.name, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/v2/health/ready`);
  return { proc, base };
}

const body = (row) => JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, row.length], datatype: 'FP64', data: [row] }] });

async function load(base, name, connections) {
  let i = 0;
  const result = await autocannon({
    url: `${base}/v2/models/${name}/infer`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: DURATION,
    requests: [{ setupRequest: (req) => ({ ...req, body: body(rows[i++ % rows.length]) }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, total: result.requests.total };
}

async function compare(a, b, name) {
  let same = 0;
  let maxDiff = 0;
  const n = 50;
  for (let i = 0; i < n; i++) {
    const [ra, rb] = await Promise.all([a, b].map(async (base) => (await (await fetch(`${base}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(rows[i]) })).json())));
    if (JSON.stringify(ra.outputs[0].data) === JSON.stringify(rb.outputs[0].data)) same++;
    if (ra.outputs[1]) ra.outputs[1].data.forEach((v, k) => { maxDiff = Math.max(maxDiff, Math.abs(v - rb.outputs[1].data[k])); });
  }
  return { same, n, maxDiff };
}

const fmt = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : String(x));
const summary = [];
for (const m of MODELS) {
  const ramp = await startRamp(m);
  const fast = await startFastapi(m);
  try {
    const agree = await compare(ramp.base, fast.base, m.name);
    console.log(`\n${m.label}: predictions agree on ${agree.same}/${agree.n} rows; max |Δproba| = ${agree.maxDiff.toExponential(2)}`);
    for (const c of [1, 32]) {
      // warm up both
      await autocannon({ url: `${ramp.base}/v2/models/${m.name}/infer`, method: 'POST', body: body(rows[0]), headers: { 'content-type': 'application/json' }, connections: c, duration: 1 });
      await autocannon({ url: `${fast.base}/v2/models/${m.name}/infer`, method: 'POST', body: body(rows[0]), headers: { 'content-type': 'application/json' }, connections: c, duration: 1 });
      const r = await load(ramp.base, m.name, c);
      const f = await load(fast.base, m.name, c);
      const row = { model: m.name, c, ramp: r, fastapi: f, throughput_x: r.rps / f.rps, p50_ratio: r.p50 / f.p50, p99_ratio: r.p99 / f.p99 };
      summary.push(row);
      console.log(`  concurrency ${String(c).padStart(2)}: ramp ${fmt(r.rps, 0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors) | fastapi ${fmt(f.rps, 0)} req/s (p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.errors} errors)`);
      console.log(`                  throughput ×${fmt(row.throughput_x, 2)} · p50 ratio ${fmt(row.p50_ratio, 3)} · p99 ratio ${fmt(row.p99_ratio, 3)}`);
    }
  } finally {
    ramp.proc.kill('SIGTERM');
    fast.proc.kill('SIGTERM');
  }
}
console.log('\nGoal at concurrency 32: throughput ≥ 3×, p99 ≤ 1/3.');
for (const s of summary.filter((x) => x.c === 32)) {
  console.log(`  ${s.model}: throughput ×${fmt(s.throughput_x, 2)} ${s.throughput_x >= 3 ? 'MET' : 'NOT MET'}; p99 ratio ${fmt(s.p99_ratio, 3)} ${s.p99_ratio <= 1 / 3 ? 'MET' : 'NOT MET'}`);
}
console.log(JSON.stringify({ duration_s: DURATION, summary }));
process.exit(0);
