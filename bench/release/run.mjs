// Release benchmarks: `ramp validate` and `ramp drift` against scikit-learn/pandas/scipy in one
// Python process (time and peak RSS, via /usr/bin/time), and `ramp serve --traffic` with two
// versions against one version (throughput at c=32, and failed requests during a weight change).
//
//   node bench/release/run.mjs                 BENCH_ROWS=100000,1000000  BENCH_DURATION=10
//   BENCH_ONLY=traffic node bench/release/run.mjs
//
// Needs /usr/bin/python3 with python3-sklearn, python3-pandas, python3-scipy (for the peers).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RAMP = join(root, 'labs/ramp/bin/ramp.mjs');
const PY = join(root, 'bench/release/python_release.py');
const ROWS = (process.env.BENCH_ROWS ?? '100000,1000000').split(',').map(Number);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ONLY = process.env.BENCH_ONLY ?? 'validate,drift,traffic';
const DATA = join(tmpdir(), 'ramp-release-bench');
mkdirSync(DATA, { recursive: true });

/** Seconds and peak RSS (MiB) of a command. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split('\n').pop();
  const [s, kb] = last.split(' ').map(Number);
  return { seconds: s, rssMiB: kb / 1024, status: r.status };
}

function offline() {
  for (const n of ROWS) {
    if (!existsSync(join(DATA, `cur-${n}.csv`)) || !existsSync(join(DATA, 'binary-logreg.joblib'))) spawnSync('/usr/bin/python3', [PY, 'gen', DATA, String(n)], { stdio: 'inherit' });
    const ref = join(DATA, `ref-${n}.csv`);
    const cur = join(DATA, `cur-${n}.csv`);
    if (ONLY.includes('validate')) {
      const model = join(DATA, 'binary-logreg.joblib');
      const r = timed(process.execPath, [RAMP, 'validate', model, '--baseline', model, '--data', ref, '--target', 'label', '--slice', 'segment', '--json']);
      const p = timed('/usr/bin/python3', [PY, 'validate', DATA, String(n)]);
      console.log(`validate ${n} rows × 20: ramp ${r.seconds}s ${r.rssMiB.toFixed(0)} MiB · sklearn+pandas ${p.seconds}s ${p.rssMiB.toFixed(0)} MiB · ratio ${(r.seconds / p.seconds).toFixed(2)}× (exit ${r.status})`);
    }
    if (ONLY.includes('drift')) {
      const r = timed(process.execPath, [RAMP, 'drift', '--reference', ref, '--current', cur, '--json']);
      const p = timed('/usr/bin/python3', [PY, 'drift', DATA, String(n)]);
      console.log(`drift ${n} rows × 20: ramp ${r.seconds}s ${r.rssMiB.toFixed(0)} MiB · numpy/scipy ${p.seconds}s ${p.rssMiB.toFixed(0)} MiB · ratio ${(r.seconds / p.seconds).toFixed(2)}× (exit ${r.status})`);
    }
  }
}

const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });

async function serve(args) {
  const port = await freePort();
  const proc = spawn(process.execPath, [RAMP, 'serve', ...args, '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(`${base}/v2/health/ready`)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, base };
}

const rows = JSON.parse(readFileSync(join(root, 'bench/models/churn_rows.json'), 'utf8'));
const TEXT = new Set(['plan', 'region', 'contract']);
const body = (row, i) => JSON.stringify({ parameters: { customer_id: `c${i}` }, inputs: Object.entries(row).map(([name, v]) => ({ name, shape: [1], datatype: TEXT.has(name) ? 'BYTES' : 'FP64', data: [v] })) });
const requests = rows.slice(0, 50).map((r, i) => ({ method: 'POST', path: '/v2/models/churn/infer', headers: { 'content-type': 'application/json' }, body: body(r, i) }));

function load(base, onStart, duration = DURATION) {
  return new Promise((resolve) => {
    const inst = autocannon({ url: base, connections: 32, duration, requests }, (_e, res) => resolve(res));
    onStart?.(inst);
  });
}

async function traffic() {
  const model = join(root, 'bench/models/churn_pipeline.joblib');
  const dir = mkdtempSync(join(tmpdir(), 'ramp-traffic-bench-'));
  const yaml = (a, b) => `model: churn\nroute_by: customer_id\nroutes:\n  - { version: 1, model: ${model}, weight: ${a} }\n  - { version: 2, model: ${model}, weight: ${b} }\n`;
  writeFileSync(join(dir, 'traffic.yaml'), yaml(90, 10));
  // Both servers up at once, loaded in turn: rounds alternate which goes first, so a noisy
  // neighbour or the machine warming up weighs on both alike (single 10 s runs varied 0.75-1.08x).
  const one = await serve([model, '--name', 'churn']);
  const two = await serve(['--traffic', join(dir, 'traffic.yaml')]);
  await load(one.base, undefined, 2);
  await load(two.base, undefined, 2);
  const ROUNDS = 4, SLICE = Math.max(2, Math.round(DURATION / 2));
  const n = { one: 0, two: 0 }, p99 = { one: [], two: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 ? ['two', 'one'] : ['one', 'two']) {
      const r = await load((which === 'one' ? one : two).base, undefined, SLICE);
      n[which] += r.requests.total;
      p99[which].push(r.latency.p99);
    }
  }
  one.proc.kill('SIGTERM');
  const rate = (k) => n[k] / (ROUNDS * SLICE);
  const worst = (k) => Math.max(...p99[k]);
  let step = 0;
  const changing = await load(two.base, () => {
    const t = setInterval(() => { step++; writeFileSync(join(dir, 'traffic.yaml'), yaml(step % 2 ? 50 : 90, step % 2 ? 50 : 10)); }, 1000);
    setTimeout(() => clearInterval(t), DURATION * 1000 - 500);
  });
  two.proc.kill('SIGTERM');
  const failed = (r) => r.errors + r.non2xx + r.timeouts;
  console.log(`serve, c=32, one row per request (churn pipeline), ${ROUNDS} alternating rounds of ${SLICE}s: one version ${rate('one').toFixed(0)} req/s (worst p99 ${worst('one')} ms) · --traffic with two versions ${rate('two').toFixed(0)} req/s (worst p99 ${worst('two')} ms) · ratio ${(rate('two') / rate('one')).toFixed(2)}×`);
  console.log(`weight changes under load: ${step} edits of traffic.yaml in ${DURATION}s, ${changing.requests.total} requests, ${failed(changing)} failed`);
}

if (ONLY.includes('validate') || ONLY.includes('drift')) offline();
if (ONLY.includes('traffic')) await traffic();
