#!/usr/bin/env node
// Ingest benchmark for the feedback/events collector: the real service process (src/server/main.ts)
// under autocannon at concurrency 50, single events and batches of 20, each flat out ("max": the
// throughput ceiling, where latency is concurrency / throughput) and at a steady 5,000 events/s
// (the goal load, paced evenly by a small generator here), on SQLite and (when a URL is given)
// PostgreSQL. Every request carries fresh ids; afterwards the rows are counted in the
// database and must equal what was acknowledged (nothing lost, nothing doubled).
//
//   node bench/collector/run.mjs [--duration 10] [--warmup 2] [--connections 50] [--rate 5000] [--sizes 1,20] [--paced-only]
//   ONRAMP_BENCH_DATABASE_URL=postgres://… node bench/collector/run.mjs   (or ONRAMP_TEST_DATABASE_URL)
//   BENCH_PROF=/tmp/prof node bench/collector/run.mjs …   (the service writes V8 CPU profiles there, one per thread)
//   node bench/collector/run.mjs --db-dir /dev/shm …   (the SQLite file elsewhere, e.g. on tmpfs, to tell the disk's share of the tail)
//
// Goal on 2 cores with SQLite: >= 5,000 events/s, p99 < 50 ms.
//
// Single events at 5,000/s missed the goal (p99 78-101 ms, then 0.9-1.5 s on a busy machine) for
// two reasons, neither of them the service's: (1) the paced run started on a service just
// started, whose first second (compiling, opening sockets, growing the WAL) stalled ~450 ms and
// was alone the p99 of a 10 s run — now a 2 s warm-up at the same load comes first, unmeasured;
// (2) the generator, node:http's client, took ~0.6 of the 2 cores the service needs — now a lean
// raw-socket client (raw-client.mjs) sends the same requests for about a third of that. The
// service itself kept headroom throughout (CPU profiles via BENCH_PROF: its HTTP thread ~55% busy,
// the writer thread's commits never over 25 ms). The generator's own event-loop delay is printed
// next to each result, so a busy generator cannot pass for a slow service.
//
// What is left of the tail (p99 13-29 ms here; 36-56 ms on another machine) is mostly the
// machine's, not the service's. Event-loop drift probes in the service's HTTP thread, its writer
// thread and the generator stall together, 10-40 ms at a time, about every 2 s, while the service
// writes to disk. With its SQLite file on tmpfs (`--db-dir /dev/shm`) the same run gives p99 7, 10
// and 18 ms (an ad-hoc 12 s harness with this client: 9-11 ms in 5 of 5 runs, against 17-35 ms on
// the ext4 disk, back to back). synchronous=NORMAL (no fsync per commit) did not help, nor did
// fewer commits (a 3-6 ms spacing), 1 KB pages or other checkpoint intervals. The HTTP thread
// spends 62-71 µs of CPU a request (a third of a core at 5,000/s; a bare node:http server: 29 µs).
// The disk volume: each commit rewrites whole pages, one per random v4 id in the primary-key
// index, about 10 KB of WAL an event.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { rawPool } from './raw-client.mjs';
import { arg, PG_URL, pgSchema, startService, stopService } from '../lib.mjs';

const DURATION = arg('duration', 10);
const WARMUP = arg('warmup', 2);
const CONNECTIONS = arg('connections', 50);
const SYNC = process.env.ONRAMP_SQLITE_SYNC || 'full';
/** The goal: 5,000 events/s with p99 under 50 ms. Each scenario also runs at exactly that load. */
const GOAL_RATE = arg('rate', 5000);
const sizesArg = process.argv.indexOf('--sizes');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [1, 20];
const PACED_ONLY = process.argv.includes('--paced-only');
const dbDirArg = process.argv.indexOf('--db-dir');
const DB_DIR = dbDirArg > 0 ? process.argv[dbDirArg + 1] : null;

function body(size) {
  const at = new Date().toISOString();
  const events = [];
  for (let i = 0; i < size; i++) events.push({ id: randomUUID(), type: 'step_started', at, session: 'bench-session-01', lab: 'pkl-to-endpoint', step: ['inspect', 'scan', 'predict', 'serve', 'call'][i % 5] });
  return JSON.stringify({ events });
}

/**
 * A steady offered load of `rate` events/s over at most CONNECTIONS keep-alive sockets, requests
 * spread evenly over each second, sent by a lean client (raw-client.mjs). (autocannon's own rate
 * limit sends each connection's quota at the start of every second, so its latencies would
 * measure a burst, not a steady load.)
 */
async function paced(base, size, rate) {
  const { hostname, port } = new URL(base);
  const pool = rawPool(hostname, Number(port), CONNECTIONS);
  const perMs = rate / size / 1000;
  const latencies = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let owed = 0;
  const inFlight = new Set();
  let measuring = false;
  let measuredOk = 0;
  const send = () => {
    const t = performance.now();
    const measured = measuring;
    const p = pool.post('/api/events', body(size)).then(
      (status) => {
        if (measured) latencies.push(performance.now() - t);
        if (status === 202) {
          ok++;
          if (measured) measuredOk++;
        } else non2xx++;
      },
      () => void errors++,
    );
    inFlight.add(p);
    p.then(() => inFlight.delete(p));
  };
  // The same load for WARMUP seconds first, not measured: a service just started compiles its
  // code, opens its sockets and grows its WAL file while the first requests wait (a ~450 ms stall
  // that alone would be the p99 of a 10 s run). Its events are acknowledged and counted all the same.
  const warmupEnd = performance.now() + WARMUP * 1000;
  const started = warmupEnd;
  let last = performance.now();
  // The generator's own event-loop delay: a request answered while this loop is busy is timed late.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  while (performance.now() - started < DURATION * 1000) {
    if (!measuring && performance.now() >= warmupEnd) loop.enable();
    measuring = performance.now() >= warmupEnd;
    await new Promise((r) => setTimeout(r, 1));
    const now = performance.now();
    owed += (now - last) * perMs;
    last = now;
    for (; owed >= 1; owed--) send();
  }
  await Promise.all(inFlight);
  loop.disable();
  pool.close();
  latencies.sort((a, b) => a - b);
  const q = (x) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * x))] ?? 0);
  return { size, load: `${rate}/s`, requests: ok, events: ok * size, eventsPerSecond: Math.round((measuredOk * size) / DURATION), requestsPerSecond: Math.round(measuredOk / DURATION), p50: q(0.5), p99: q(0.99), max: q(1), non2xx, errors, loopP99: Math.round(loop.percentile(99) / 1e6) };
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
  const service = await startService({ ONRAMP_ADMIN_TOKEN: 'bench-admin-token-0123456789', ...env });
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
    await stopService(service.child);
  }
  const stored = await count();
  await cleanup?.();
  console.log(`\n${name}`);
  console.log('  batch  offered   events/s  req/s   p50 ms  p99 ms  max ms  non-2xx  errors');
  for (const r of rows) {
    console.log(`  ${String(r.size).padStart(5)}  ${r.load.padEnd(8)}  ${String(r.eventsPerSecond).padStart(8)}  ${String(r.requestsPerSecond).padStart(5)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.max).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}`);
    if (r.loopP99 !== undefined) console.log(`         (the load generator's own event-loop delay, p99: ${r.loopP99} ms)`);
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

const dbDir = DB_DIR ? mkdtempSync(join(DB_DIR, 'onramp-bench-db-')) : dir;
const dbFile = join(dbDir, 'bench.db');
const sqlite = await run(`SQLite (synchronous=${SYNC}, WAL)`, { ONRAMP_SITE_DIR: dir, ONRAMP_DB: dbFile, DATABASE_URL: '', ONRAMP_SQLITE_SYNC: SYNC }, async () => {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  const n = db.prepare('SELECT COUNT(*) AS n FROM events').get().n;
  db.close();
  return Number(n);
});

let failed = !sqlite.ok;
if (PG_URL) {
  const db = await pgSchema('bench');
  const pgResult = await run(
    'PostgreSQL',
    { ONRAMP_SITE_DIR: dir, DATABASE_URL: db.url },
    async () => Number((await db.admin.query(`SELECT COUNT(*) AS n FROM ${db.schema}.events`)).rows[0].n),
    db.drop,
  );
  failed ||= !pgResult.ok;
} else {
  console.log('\nPostgreSQL: skipped (set ONRAMP_BENCH_DATABASE_URL, or start one with `eval "$(.ci/postgres start)"`)');
}
rmSync(dir, { recursive: true, force: true });
if (dbDir !== dir) rmSync(dbDir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
