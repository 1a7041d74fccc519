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
import http from 'node:http';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const numericRows = JSON.parse(readFileSync(join(root, 'bench', 'models', 'rows.json'), 'utf8'));
const churnRows = JSON.parse(readFileSync(join(root, 'bench', 'models', 'churn_rows.json'), 'utf8'));
const TEXT = new Set(['plan', 'region', 'contract']);
// One row per request: a [1, F] tensor for numeric models, one tensor per column for DataFrame ones.
const matrix = (row) => JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, row.length], datatype: 'FP64', data: [row] }] });
const columns = (row) => JSON.stringify({ inputs: Object.entries(row).map(([name, v]) => ({ name, shape: [1], datatype: TEXT.has(name) ? 'BYTES' : 'FP64', data: [v] })) });
const MODELS = [
  { name: 'churn', file: 'bench/models/churn_pipeline.joblib', label: 'churn Pipeline(ColumnTransformer(impute+scale, one-hot), LogisticRegression), 7 columns, 3 of them text', rows: churnRows, body: columns },
  { name: 'hgb', file: 'bench/models/hgb_pipeline.joblib', label: 'HistGradientBoosting (200 iterations) on the churn columns', rows: churnRows, body: columns },
  { name: 'rf', file: 'bench/models/rf100.joblib', label: 'RandomForest (100 trees, 20 features)', rows: numericRows, body: matrix },
  { name: 'logreg', file: 'bench/models/logreg.joblib', label: 'LogisticRegression (20 features)', rows: numericRows, body: matrix },
].filter((m) => !process.env.BENCH_MODELS || process.env.BENCH_MODELS.split(',').includes(m.name));

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

/**
 * The ceiling: a bare node:http server that reads the request and answers ramp's own response bytes
 * for it, with no parsing or model. ramp's share of its throughput is how close ramp is to the limit.
 */
async function startBare(m, rampBase) {
  const answer = Buffer.from(await (await fetch(`${rampBase}/v2/models/${m.name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: m.body(m.rows[0]) })).text());
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length }).end(answer));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

async function load(base, m, connections) {
  let i = 0;
  const result = await autocannon({
    url: `${base}/v2/models/${m.name}/infer`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: DURATION,
    requests: [{ setupRequest: (req) => ({ ...req, body: m.body(m.rows[i++ % m.rows.length]) }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, total: result.requests.total };
}

async function compare(a, b, m) {
  let same = 0;
  let maxDiff = 0;
  const n = 50;
  for (let i = 0; i < n; i++) {
    const [ra, rb] = await Promise.all([a, b].map(async (base) => (await (await fetch(`${base}/v2/models/${m.name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: m.body(m.rows[i]) })).json())));
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
  const bare = await startBare(m, ramp.base);
  try {
    const agree = await compare(ramp.base, fast.base, m);
    console.log(`\n${m.label}: predictions agree on ${agree.same}/${agree.n} rows; max |Δproba| = ${agree.maxDiff.toExponential(2)}`);
    for (const c of [1, 32]) {
      // warm up both
      for (const base of [ramp.base, fast.base, bare.base]) await autocannon({ url: `${base}/v2/models/${m.name}/infer`, method: 'POST', body: m.body(m.rows[0]), headers: { 'content-type': 'application/json' }, connections: c, duration: 1 });
      const r = await load(ramp.base, m, c);
      const f = await load(fast.base, m, c);
      const b = await load(bare.base, m, c);
      const row = { model: m.name, c, ramp: r, fastapi: f, bare: b, throughput_x: r.rps / f.rps, p50_ratio: r.p50 / f.p50, p99_ratio: r.p99 / f.p99, of_bare: r.rps / b.rps };
      summary.push(row);
      console.log(`  concurrency ${String(c).padStart(2)}: ramp ${fmt(r.rps, 0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors) | fastapi ${fmt(f.rps, 0)} req/s (p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.errors} errors)`);
      console.log(`                  throughput ×${fmt(row.throughput_x, 2)} · p50 ratio ${fmt(row.p50_ratio, 3)} · p99 ratio ${fmt(row.p99_ratio, 3)} · bare node:http ${fmt(b.rps, 0)} req/s, ramp at ${fmt(100 * row.of_bare, 0)}% of it`);
    }
  } finally {
    ramp.proc.kill('SIGTERM');
    fast.proc.kill('SIGTERM');
    bare.server.close();
  }
}
console.log('\nGoal at concurrency 32: throughput ≥ 3×, p99 ≤ 1/3.');
for (const s of summary.filter((x) => x.c === 32)) {
  console.log(`  ${s.model}: throughput ×${fmt(s.throughput_x, 2)} ${s.throughput_x >= 3 ? 'MET' : 'NOT MET'}; p99 ratio ${fmt(s.p99_ratio, 3)} ${s.p99_ratio <= 1 / 3 ? 'MET' : 'NOT MET'}`);
}
console.log(JSON.stringify({ duration_s: DURATION, summary }));
process.exit(0);
