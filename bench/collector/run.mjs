#!/usr/bin/env node
// Ingest benchmark for the feedback/events collector: the real service process (src/server/main.ts)
// under autocannon at concurrency 50, single events and batches of 20, each flat out ("max": the
// throughput ceiling, where latency is concurrency / throughput) and at a steady 5,000 events/s
// (the goal load, paced evenly by a small generator here), on SQLite and (when a URL is given)
// PostgreSQL. Every request carries fresh ids; afterwards the rows are counted in the
// database and must equal what was acknowledged (nothing lost, nothing doubled).
//
//   node bench/collector/run.mjs [--duration 10] [--connections 50] [--rate 5000] [--sizes 1,20] [--paced-only]
//   ONRAMP_BENCH_DATABASE_URL=postgres://… node bench/collector/run.mjs   (or ONRAMP_TEST_DATABASE_URL)
//   BENCH_PROF=/tmp/prof node bench/collector/run.mjs …   (the service writes V8 CPU profiles there, one per thread)
//
// Goal on 2 cores with SQLite: >= 5,000 events/s, p99 < 50 ms.
//
// What limits single events (measured 2026-12, 2 shared cores): each request costs the service's
// one JavaScript thread about 0.25 ms (Node's HTTP parsing and response ~45%, zod validation ~10%,
// JSON ~8%; a per-request SHA-256 of the client key, ~5%, is now once per connection), so 5,000
// requests/s need ~1.3 cores of that one thread, while the writer thread (~0.2 core) and this
// load generator (~0.5-0.8 core) share the machine. The queue then grows: p99 in the tens of ms
// on a quiet machine, seconds on a busy one. The store alone (store-only.ts) answers 5,000 single
// events/s with p99 15-21 ms (the tail is fsync's). Batches, as the browser sends, meet the goal.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import autocannon from 'autocannon';
import pg from 'pg';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 50);
const PG_URL = process.env.ONRAMP_BENCH_DATABASE_URL || process.env.ONRAMP_TEST_DATABASE_URL || '';
const SYNC = process.env.ONRAMP_SQLITE_SYNC || 'full';
/** The goal: 5,000 events/s with p99 under 50 ms. Each scenario also runs at exactly that load. */
const GOAL_RATE = arg('rate', 5000);
const sizesArg = process.argv.indexOf('--sizes');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [1, 20];
const PACED_ONLY = process.argv.includes('--paced-only');

function start(env) {
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), '--experimental-strip-types', '--disable-warning=ExperimentalWarning', join(root, 'src/server/main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ONRAMP_RATE_LIMIT: '0', ONRAMP_ADMIN_TOKEN: 'bench-admin-token-0123456789', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving .* on (http:\/\/[^/\s]+)\//.exec(out);
      if (m) done({ child, base: m[1].replace('localhost', '127.0.0.1') });
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => fail(new Error(`service exited ${code}:\n${out}`)));
  });
}

const stop = (child) => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));

function body(size) {
  const at = new Date().toISOString();
  const events = [];
  for (let i = 0; i < size; i++) events.push({ id: randomUUID(), type: 'step_started', at, session: 'bench-session-01', lab: 'pkl-to-endpoint', step: ['inspect', 'scan', 'predict', 'serve', 'call'][i % 5] });
  return JSON.stringify({ events });
}

/**
 * A steady offered load of `rate` events/s over at most CONNECTIONS keep-alive sockets, requests
 * spread evenly over each second. (autocannon's own rate limit sends each connection's quota at
 * the start of every second, so its latencies would measure a burst, not a steady load.)
 */
async function paced(base, size, rate) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const { hostname, port } = new URL(base);
  const perMs = rate / size / 1000;
  const latencies = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let owed = 0;
  const inFlight = new Set();
  const send = () => {
    const data = body(size);
    const t = performance.now();
    const p = new Promise((done) => {
      const req = http.request({ host: hostname, port, method: 'POST', path: '/api/events', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - t);
          if (res.statusCode === 202) ok++;
          else non2xx++;
          done();
        });
      });
      req.on('error', () => (errors++, done()));
      req.end(data);
    });
    inFlight.add(p);
    p.then(() => inFlight.delete(p));
  };
  const started = performance.now();
  let last = started;
  while (performance.now() - started < DURATION * 1000) {
    await new Promise((r) => setTimeout(r, 1));
    const now = performance.now();
    owed += (now - last) * perMs;
    last = now;
    for (; owed >= 1; owed--) send();
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (x) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * x))] ?? 0);
  return { size, load: `${rate}/s`, requests: ok, events: ok * size, eventsPerSecond: Math.round((ok * size) / DURATION), requestsPerSecond: Math.round(ok / DURATION), p50: q(0.5), p99: q(0.99), max: q(1), non2xx, errors };
}

/** Flat out: each of the connections sends its next request as soon as the last is answered. */
async function scenario(base, size) {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ method: 'POST', path: '/api/events', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body(size) }) }],
  });
  const ok = result['2xx'];
  return {
    size,
    load: 'max',
    requests: ok,
    events: ok * size,
    eventsPerSecond: Math.round((ok * size) / DURATION),
    requestsPerSecond: Math.round(ok / DURATION),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function run(name, env, count, cleanup) {
  const service = await start(env);
  const rows = [];
  let acked = 0;
  try {
    for (const size of SIZES) {
      for (const rate of PACED_ONLY ? [GOAL_RATE] : [0, GOAL_RATE]) {
        const r = rate ? await paced(service.base, size, rate) : await scenario(service.base, size);
        acked += r.events;
        rows.push(r);
      }
    }
  } finally {
    await stop(service.child);
  }
  const stored = await count();
  await cleanup?.();
  console.log(`\n${name}`);
  console.log('  batch  offered   events/s  req/s   p50 ms  p99 ms  max ms  non-2xx  errors');
  for (const r of rows) {
    console.log(`  ${String(r.size).padStart(5)}  ${r.load.padEnd(8)}  ${String(r.eventsPerSecond).padStart(8)}  ${String(r.requestsPerSecond).padStart(5)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.max).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}`);
  }
  // Requests still in flight when autocannon stops are stored but not counted as acknowledged, so
  // rows may exceed the acknowledged count by at most one request per connection per scenario.
  const slack = CONNECTIONS * 2 * (1 + 20);
  const ok = stored >= acked && stored - acked <= slack;
  const verdict = ok ? `nothing lost (${stored - acked} more rows from requests in flight at the end; ids are primary keys, so none doubled)` : `MISMATCH: ${acked - stored} acknowledged events missing`;
  console.log(`  acknowledged ${acked} events, ${stored} rows in the database: ${verdict}`);
  return { rows, acked, stored, ok };
}

console.log(`Collector ingest: ${CONNECTIONS} connections, ${DURATION} s per scenario, ${cpus().length} CPUs, Node ${process.versions.node}`);
const dir = mkdtempSync(join(tmpdir(), 'onramp-bench-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench</title>');

const dbFile = join(dir, 'bench.db');
const sqlite = await run(`SQLite (synchronous=${SYNC}, WAL)`, { ONRAMP_SITE_DIR: dir, ONRAMP_DB: dbFile, DATABASE_URL: '', ONRAMP_SQLITE_SYNC: SYNC }, async () => {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  const n = db.prepare('SELECT COUNT(*) AS n FROM events').get().n;
  db.close();
  return Number(n);
});

let failed = !sqlite.ok;
if (PG_URL) {
  const schema = `bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const pgResult = await run(
    'PostgreSQL',
    { ONRAMP_SITE_DIR: dir, DATABASE_URL: url },
    async () => Number((await admin.query(`SELECT COUNT(*) AS n FROM ${schema}.events`)).rows[0].n),
    async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  );
  failed ||= !pgResult.ok;
} else {
  console.log('\nPostgreSQL: skipped (set ONRAMP_BENCH_DATABASE_URL, or start one with `eval "$(.ci/postgres start)"`)');
}
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
