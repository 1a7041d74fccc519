// Sandbox figures (not a test), on the lab runner's real code path (service, WebSocket, pty):
//   1. session created → shell prompt, and the latency of one check (`node .lab/check.mjs inspect`),
//      without a sandbox (ONRAMP_LAB_SANDBOX=none) and in bubblewrap;
//   2. how many bubblewrap sessions this machine holds with every learner running the headline
//      lab (scan, predict, serve on :8080 in the background, then checks in a loop), and the
//      memory per session (resident memory of the processes in its sandbox).
//
//   node bench/sandbox/run.mjs [--runs 7] [--sessions 1,2,4,8,12,16] [--p95 2000]
// Run it alone (flock /tmp/onramp-heavy.lock …): it loads the machine on purpose.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { createService } from '../../src/server/app.ts';
import { labRunner } from '../../src/server/lab-runner/index.ts';
import { treeLoader } from '../../src/server/lab-runner/trees.ts';
import { bubblewrapHere, bwrapDriver, noSandbox } from '../../src/server/lab-runner/sandbox-drivers.ts';
import { RunnerRuntime } from '../../src/lab/runner-client.ts';

const root = resolve(import.meta.dirname, '../..');
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const runs = Number(arg('--runs', 7));
const counts = String(arg('--sessions', '1,2,4,8,12,16')).split(',').map(Number);
const p95Goal = Number(arg('--p95', 2000));
const here = bubblewrapHere();
if (!('host' in here)) {
  console.error(`bench/sandbox: no bubblewrap here (${here.why}).`);
  process.exit(1);
}

async function serviceWith(sandbox, maxSessions) {
  const site = mkdtempSync(join(tmpdir(), 'onramp-bench-site-'));
  writeFileSync(join(site, 'index.html'), '<!doctype html>');
  const runner = labRunner({ loadTree: treeLoader(join(site, 'none'), root), sandbox, maxSessions, createPerMinute: 0 });
  const service = await createService({ port: 0, host: '127.0.0.1', siteDir: site }, [runner]);
  await new Promise((r) => service.server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${service.server.address().port}`;
  const runtime = () => new RunnerRuntime({ lab: 'pkl-to-endpoint', baseUrl: base, createSocket: (url) => new WebSocket(url, { origin: base }) });
  return { runner, service, runtime };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Boot → prompt in the terminal, and one check's latency. */
async function once(svc) {
  const t0 = performance.now();
  const rt = svc.runtime();
  await rt.boot(() => {});
  let text = '';
  const prompt = await new Promise((resolvePrompt) => {
    rt.shell({ cols: 80, rows: 24 }, (d) => {
      text += d;
      if (/lab.*:.*[$#] $/.test(text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, ''))) resolvePrompt(performance.now() - t0);
    });
  });
  const checks = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await rt.exec('node .lab/check.mjs inspect', { timeoutMs: 60_000 });
    checks.push(performance.now() - t);
  }
  await rt.teardown();
  return { prompt, check: median(checks) };
}

async function startCost() {
  const out = {};
  for (const [name, sandbox] of [['none', noSandbox()], ['bubblewrap', bwrapDriver(here.host)]]) {
    const svc = await serviceWith(sandbox, 4);
    await once(svc); // warm-up
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await once(svc));
    out[name] = { prompt: median(all.map((r) => r.prompt)), check: median(all.map((r) => r.check)) };
    await svc.service.close();
  }
  return out;
}

const FLOW = 'ramp scan churn.joblib > scan.txt; ramp predict churn.joblib --input rows.json --json > predictions.json';

/** N learners at once, each running the headline lab; check latencies and memory per session. */
async function load(n) {
  const svc = await serviceWith(bwrapDriver(here.host), n);
  const rts = await Promise.all(Array.from({ length: n }, async () => {
    const rt = svc.runtime();
    await rt.boot(() => {});
    await rt.shell({ cols: 80, rows: 24 }, () => {});
    return rt;
  }));
  const latencies = [];
  let failures = 0;
  const memory = [];
  await Promise.all(rts.map(async (rt) => {
    await rt.exec(FLOW, { timeoutMs: 120_000 });
    await rt.exec('ramp serve churn.joblib --port 8080', { background: true });
    for (let i = 0; i < 6; i++) {
      const t = performance.now();
      const r = await rt.exec(`node .lab/check.mjs ${i % 2 ? 'predict' : 'serve'}`, { timeoutMs: 60_000 });
      latencies.push(performance.now() - t);
      if (r.exitCode !== 0 && i > 1) failures++;
    }
  }));
  for (const s of svc.runner.sessions.values()) memory.push((await s.sandbox.usage()).memoryBytes);
  await Promise.all(rts.map((rt) => rt.teardown()));
  await svc.service.close();
  return { n, p50: pct(latencies, 0.5), p95: pct(latencies, 0.95), failures, memory: median(memory) };
}

const ms = (x) => `${Math.round(x)} ms`;
const cost = await startCost();
console.log(`Lab runner on this machine (${(await import('node:os')).cpus().length} CPUs), median of ${runs} runs after a warm-up`);
console.log('                              no sandbox   bubblewrap   cost');
console.log(`Session created → prompt      ${ms(cost.none.prompt).padEnd(13)}${ms(cost.bubblewrap.prompt).padEnd(13)}+${ms(cost.bubblewrap.prompt - cost.none.prompt)}`);
console.log(`One check (node check.mjs)    ${ms(cost.none.check).padEnd(13)}${ms(cost.bubblewrap.check).padEnd(13)}+${ms(cost.bubblewrap.check - cost.none.check)}`);
console.log(`\nConcurrent bubblewrap sessions, each: scan, predict, serve on :8080, then 6 checks (goal: check p95 ≤ ${p95Goal} ms)`);
console.log('sessions   check p50   check p95   failed checks   memory/session (RSS in the sandbox)');
let held = 0;
for (const n of counts) {
  const r = await load(n);
  console.log(`${String(n).padEnd(11)}${ms(r.p50).padEnd(12)}${ms(r.p95).padEnd(12)}${String(r.failures).padEnd(16)}${Math.round(r.memory / 2 ** 20)} MB`);
  if (r.p95 <= p95Goal && r.failures === 0) held = Math.max(held, n);
  if (r.failures > 0) break;
}
console.log(`Held: ${held} concurrent sessions with check p95 ≤ ${p95Goal} ms and no failed check.`);
