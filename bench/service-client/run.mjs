// The service-client template's figures (issue 13): under injected faults (latency p99 = 2 s and
// 20 % 503s) the client's p99 stays within its budget and every call ends in a prediction or a
// fallback; with no faults, its overhead against a bare fetch of the same request.
//   node bench/service-client/run.mjs [calls=10000] [concurrency=50]   (BENCH_ONLY=overhead: the no-fault comparison alone)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'labs', 'ramp', 'bin', 'ramp.mjs');
const CHURN = join(ROOT, 'test', 'fixtures', 'churn', 'churn.joblib');
const CALLS = Number(process.argv[2] ?? 10_000);
const CONC = Number(process.argv[3] ?? 50);

const work = mkdtempSync(join(tmpdir(), 'bench-client-'));
const dir = join(work, 'client');
spawnSync(process.execPath, [BIN, 'init', 'service-client', dir, '--model', CHURN], { stdio: 'ignore' });
mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
for (const d of ['cockatiel', 'typescript', '@types/node']) symlinkSync(join(ROOT, 'node_modules', d), join(dir, 'node_modules', d), 'dir');
spawnSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { stdio: 'inherit' });
const { createClient } = await import(pathToFileURL(join(dir, 'dist', 'src', 'client.js')).href);
const { EXAMPLE_ROW, toV2Request, MODEL_NAME } = await import(pathToFileURL(join(dir, 'dist', 'src', 'model.js')).href);

const proc = spawn(process.execPath, [BIN, 'serve', CHURN, '--port', '0', '--json', '--fault', 'none']);
const url = await new Promise((r) => proc.stdout.on('data', (d) => { const m = /"url":"([^"]+)"/.exec(String(d)); if (m) r(m[1]); }));
const setFaults = (spec) => fetch(`${url}/admin/faults`, { method: 'PUT', body: spec });
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// Each worker waits for the next turn of the event loop before its next call, as calls in a service
// arrive from separate requests. Without that, fallbacks answered at once (breaker open) chain in
// microtasks and starve every timer for hundreds of ms, which shows up as calls "over budget" that
// the client did not cause (measured: one 284 ms stall, 49 of 50 concurrent calls late).
const nextTurn = () => new Promise((r) => setImmediate(r));

async function run(n, conc, one) {
  const times = [];
  let i = 0;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (i < n) {
      i++;
      await nextTurn();
      const t0 = performance.now();
      await one();
      times.push(performance.now() - t0);
    }
  }));
  return times.sort((a, b) => a - b);
}

// 1. Faults: latency median 20 ms with p99 2 s, and 20 % 503s, seeded. Two clients: the template's
// defaults (the breaker soon answers most calls at once) and one whose breaker never opens, so
// every call goes through timeouts and retries.
async function faultRun(label, overrides, conc) {
  await setFaults('none');
  const warm = createClient({ url, ...overrides });
  await run(500, conc, () => warm.predict([EXAMPLE_ROW])); // warm-up (JIT, sockets) on another client, so its breaker is not this one's
  const client = createClient({ url, ...overrides });
  await setFaults('latency=20ms,latency-p99=2s,error-rate=0.2,status=503,seed=13');
  let ok = 0, degraded = 0, thrown = 0;
  const t = await run(CALLS, conc, async () => {
    try {
      const [p] = await client.predict([EXAMPLE_ROW]);
      if (p.degraded) degraded++; else ok++;
    } catch { thrown++; }
  });
  const m = client.metrics;
  const over = t.filter((x) => x > client.config.budgetMs).length;
  console.log(`${label} · budget ${client.config.budgetMs} ms · ${CALLS} calls, ${conc} at a time`);
  console.log(`  client latency  p50 ${pct(t, 50).toFixed(1)} ms  p99 ${pct(t, 99).toFixed(1)} ms  max ${t.at(-1).toFixed(1)} ms  (${over} calls over budget)`);
  console.log(`  answered        ${ok} by the model, ${degraded} by the fallback, ${thrown} thrown → success-or-fallback ${(((ok + degraded) / CALLS) * 100).toFixed(2)} %`);
  console.log(`  client metrics  attempts ${m.attempts}, retries ${m.retries}, attempt timeouts ${m.attemptTimeouts}, budget timeouts ${m.budgetTimeouts}, breaker opened ${m.breakerOpened}, short-circuited ${m.shortCircuited}`);
}
// BENCH_ONLY=overhead skips the fault runs (for profiling the client's own cost).
if (process.env.BENCH_ONLY !== 'overhead') {
  console.log('faults: latency=20ms,latency-p99=2s,error-rate=0.2,status=503,seed=13');
  for (const conc of [...new Set([10, CONC])]) {
    await faultRun('template defaults', {}, conc);
    await faultRun('breaker off (breakerConsecutiveFailures 1e9)', { breakerConsecutiveFailures: 1e9 }, conc);
  }
}

// 2. The client's own cost: the client vs a bare fetch of the same request, one call at a time,
// alternating in a random order call by call, so drift on a shared machine weighs on both alike.
// On loopback (a round trip of about 0.3 ms) the client's fixed cost shows at its largest; with
// 1 ms of added latency, as on a network hop inside a data centre, it is what a service would see.
const infer = `${url}/v2/models/${MODEL_NAME}/infer`;
// The bare call does what any caller must: build the request, send it, read the predictions.
const bare = async () => {
  const r = await fetch(infer, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toV2Request([EXAMPLE_ROW])) });
  return (await r.json()).outputs[0].data;
};
const plain = createClient({ url });
const viaClient = () => plain.predict([EXAMPLE_ROW]);
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
async function overhead(label, spec, n) {
  await setFaults(spec);
  await run(300, 1, bare); await run(300, 1, viaClient); // warm-up
  const a = [], b = [];
  for (let i = 0; i < n; i++) {
    for (const [times, one] of Math.random() < 0.5 ? [[a, bare], [b, viaClient]] : [[b, viaClient], [a, bare]]) {
      await nextTurn();
      const t0 = performance.now();
      await one();
      times.push(performance.now() - t0);
    }
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  console.log(`${label}, ${n} calls each: bare fetch mean ${mean(a).toFixed(3)} ms p50 ${pct(a, 50).toFixed(3)} ms · client mean ${mean(b).toFixed(3)} ms p50 ${pct(b, 50).toFixed(3)} ms → ${(mean(b) / mean(a)).toFixed(2)}× (p50 ${(pct(b, 50) / pct(a, 50)).toFixed(2)}×), +${((mean(b) - mean(a)) * 1000).toFixed(0)} µs a call`);
}
await overhead('no faults (loopback)', 'none', 3000);
await overhead('latency=1ms (a network hop)', 'latency=1ms', 1000);
proc.kill();
process.exit(0);
