#!/usr/bin/env node
// A workshop under load: the real service process (src/server/main.ts), one workshop, N simulated
// participants (default 200) each posting its lab events as the browser does (a batch of 1–3
// events every few seconds, with jitter: what an in-tab lab sends, so only events reach the
// server), and 3 boards following the live stream. Measures, on SQLite and (when a URL is given)
// PostgreSQL:
//   - ingest: latency of POST /api/events (p50, p99, max);
//   - board lag: from sending a post to the first update on a board showing its effect (each
//     post moves the participant's row forward: a failed check, a hint, or the next step), per
//     board (p50, p99, max);
//   - nothing lost: every acknowledged event stored once, and every board's final row for every
//     participant equal to the row the service computes from the database after a reload.
//
//   node bench/workshop/run.mjs [--participants 200] [--duration 30] [--every 2000]
//   ONRAMP_BENCH_DATABASE_URL=postgres://… node bench/workshop/run.mjs   (or ONRAMP_TEST_DATABASE_URL)
//
// Goal on 2 cores: board update lag p99 <= 1 s, ingest p99 < 50 ms, nothing lost.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { arg, PG_URL, pgSchema, startService, stopService } from '../lib.mjs';

const PARTICIPANTS = arg('participants', 200);
const DURATION = arg('duration', 30);
const EVERY = arg('every', 2000);
const BOARDS = 3;
const ADMIN = 'bench-admin-token-0123456789';
const LAB = 'pkl-to-endpoint';
const STEPS = ['inspect', 'scan', 'predict', 'serve', 'call', 'init'];
// The rate limits are per client address (and per token): a room behind one NAT looks like one
// client, and so do these simulated participants; they are off here as they must be for such a room.
const serviceEnv = (env) => ({ ONRAMP_TOKEN_RATE_LIMIT: '0', ONRAMP_LAB_RUNNER: 'off', ONRAMP_ADMIN_TOKEN: ADMIN, ...env });


const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function call(base, method, path, body, headers = {}) {
  const { hostname, port } = new URL(base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((done, fail) => {
    const req = http.request({ host: hostname, port, method, path, agent, headers: { ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        done({ status: res.statusCode, json: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', fail);
    req.end(data);
  });
}

/** A board: an SSE stream; calls onRows(rows, receivedAt) for every update. */
function board(base, code, onRows) {
  const { hostname, port } = new URL(base);
  let req;
  const opened = new Promise((done, fail) => {
    req = http.request({ host: hostname, port, path: `/api/workshops/${code}/board/stream`, headers: { Authorization: `Bearer ${ADMIN}`, Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return fail(new Error(`board stream: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk) => {
        const at = performance.now();
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const line = block.split('\n').find((l) => l.startsWith('data: '));
          if (line) onRows(JSON.parse(line.slice(6)).rows, at);
        }
      });
      res.on('error', () => {});
      done();
    });
    req.on('error', fail);
    req.end();
  });
  return { opened, close: () => req.destroy() };
}

/** How far a row has got: (passed, step, failed checks + hints) compared in that order. */
const progress = (row) => row.passed * 1e6 + Math.max(0, row.stepIndex) * 1e3 + row.failedChecks + row.hints;

const q = (sorted, x) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * x))] : NaN);
const fmt = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : '–');

async function run(name, env, count, cleanup) {
  const service = await startService(serviceEnv(env));
  const base = service.base;
  const boards = [];
  try {
    const created = await call(base, 'POST', '/api/workshops', { title: 'Bench room', lab: LAB, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() }, { Authorization: `Bearer ${ADMIN}` });
    if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.json)}`);
    const code = created.json.code;
    const people = [];
    for (let i = 0; i < PARTICIPANTS; i++) {
      const r = await call(base, 'POST', `/api/workshops/${code}/join`, { name: `Learner ${i + 1}` });
      if (r.status !== 201) throw new Error(`join: ${JSON.stringify(r.json)}`);
      // Each participant's own plan: per step, 0–3 failed checks and 0–1 hint, then a pass.
      people.push({ id: r.json.participant.id, token: r.json.token, step: 0, fails: 0, hints: 0, planFails: Math.floor(Math.random() * 4), planHint: Math.random() < 0.5, pending: [], sent: 0, acked: 0 });
    }
    // Board lag: per board, each post waits for the first update showing its participant at or past its target.
    const lags = Array.from({ length: BOARDS }, () => []);
    const waiting = Array.from({ length: BOARDS }, () => new Map()); // participant id → [{ target, t }]
    const seen = Array.from({ length: BOARDS }, () => new Map()); // participant id → last row
    for (let b = 0; b < BOARDS; b++) {
      const s = board(base, code, (rows, at) => {
        for (const row of rows) {
          seen[b].set(row.id, row);
          const list = waiting[b].get(row.id);
          if (!list) continue;
          const p = progress(row);
          while (list.length && list[0].target <= p) lags[b].push(at - list.shift().t);
        }
      });
      await s.opened;
      boards.push(s);
    }

    const ingest = [];
    let non2xx = 0;
    let sentEvents = 0;
    let ackedEvents = 0;
    // Events of one post a millisecond apart, as a lab emits them one after another.
    let clock = Date.now();
    const at = () => new Date((clock = Math.max(clock + 1, Date.now()))).toISOString();
    /** The next post of a participant: 1–3 events that move its row forward. */
    function nextPost(p) {
      const ev = (type, step) => ({ id: randomUUID(), type, at: at(), session: p.id, lab: LAB, step, workshop: code });
      const step = STEPS[p.step];
      if (!step) return null;
      const out = [];
      if (p.fails === 0 && p.hints === 0 && p.step === 0 && !p.started) {
        p.started = true;
        out.push({ id: randomUUID(), type: 'lab_started', at: at(), session: p.id, lab: LAB, workshop: code, data: { runtime: 'tab' } }, ev('step_started', step));
      }
      if (p.fails < p.planFails) {
        p.fails++;
        out.push(ev('check_failed', step));
      } else if (p.planHint && p.hints === 0) {
        p.hints++;
        out.push(ev('hint_viewed', step));
      } else {
        out.push(ev('check_passed', step));
        p.step++;
        p.fails = 0;
        p.hints = 0;
        p.planFails = Math.floor(Math.random() * 4);
        p.planHint = Math.random() < 0.5;
        if (STEPS[p.step]) out.push(ev('step_started', STEPS[p.step]));
      }
      return out;
    }
    const target = (p) => p.step * 1e6 + Math.min(p.step, STEPS.length - 1) * 1e3 + p.fails + p.hints;

    const inFlight = new Set();
    const startAt = performance.now();
    const timers = people.map((p) => {
      const tick = () => {
        if (performance.now() - startAt > DURATION * 1000) return;
        const events = nextPost(p);
        if (events) {
          const goal = target(p);
          const t = performance.now();
          for (let b = 0; b < BOARDS; b++) (waiting[b].get(p.id) ?? waiting[b].set(p.id, []).get(p.id)).push({ target: goal, t });
          sentEvents += events.length;
          const req = call(base, 'POST', '/api/events', { events, participant: p.token }).then((r) => {
            ingest.push(performance.now() - t);
            if (r.status === 202) ackedEvents += r.json.accepted;
            else non2xx++;
          });
          inFlight.add(req);
          req.finally(() => inFlight.delete(req));
        }
        setTimeout(tick, EVERY * (0.5 + Math.random()));
      };
      return setTimeout(tick, Math.random() * EVERY);
    });
    await new Promise((r) => setTimeout(r, DURATION * 1000 + EVERY * 2));
    for (const t of timers) clearTimeout(t);
    await Promise.all(inFlight);
    // Let the last board updates arrive (bounded by attempts, not read as a result).
    for (let i = 0; i < 100 && waiting.some((w) => [...w.values()].some((l) => l.length)); i++) await new Promise((r) => setTimeout(r, 50));
    const unseen = waiting.map((w) => [...w.values()].reduce((n, l) => n + l.length, 0));

    // Nothing lost: stored events, and every board equals the board the service serves now.
    const served = (await call(base, 'GET', `/api/workshops/${code}/board`, undefined, { Authorization: `Bearer ${ADMIN}` })).json;
    const truth = new Map(served.rows.map((r) => [r.id, progress(r)]));
    const boardsMatch = seen.map((m) => served.rows.every((r) => m.has(r.id) && progress(m.get(r.id)) === truth.get(r.id)));
    await stopService(service.child);
    const reloaded = await startService(serviceEnv(env));
    const afterRestart = (await call(reloaded.base, 'GET', `/api/workshops/${code}/board`, undefined, { Authorization: `Bearer ${ADMIN}` })).json;
    const restartMatches = afterRestart.rows.length === PARTICIPANTS && afterRestart.rows.every((r) => truth.get(r.id) === progress(r));
    await stopService(reloaded.child);
    const storedEvents = await count(code);

    ingest.sort((a, b) => a - b);
    console.log(`\n${name}: ${PARTICIPANTS} participants, ${BOARDS} boards, ${DURATION} s, a post every ${EVERY / 1000} s ± 50% per participant`);
    console.log(`  posts ${ingest.length} (${(ingest.length / DURATION).toFixed(0)}/s), events sent ${sentEvents}, acknowledged ${ackedEvents}, stored ${storedEvents}, non-2xx ${non2xx}`);
    console.log(`  ingest ms      p50 ${fmt(q(ingest, 0.5))}  p99 ${fmt(q(ingest, 0.99))}  max ${fmt(ingest[ingest.length - 1])}   (goal p99 < 50)`);
    lags.forEach((l, b) => {
      l.sort((x, y) => x - y);
      console.log(`  board ${b + 1} lag ms p50 ${fmt(q(l, 0.5))}  p99 ${fmt(q(l, 0.99))}  max ${fmt(l[l.length - 1])}   (${l.length} updates seen, ${unseen[b]} never seen; goal p99 <= 1000)`);
    });
    const all = lags.flat().sort((a, b) => a - b);
    const lost = ackedEvents !== sentEvents || storedEvents !== sentEvents || unseen.some((n) => n > 0) || boardsMatch.some((m) => !m) || !restartMatches;
    console.log(`  every board equals the served board: ${boardsMatch.every(Boolean) ? 'yes' : 'NO'}; after a restart the board is the same: ${restartMatches ? 'yes' : 'NO'}`);
    console.log(`  ${lost ? 'LOST OR MISMATCHED' : 'nothing lost'}; ratios to goal: ingest p99 ${(q(ingest, 0.99) / 50).toFixed(2)}× of 50 ms, board lag p99 ${(q(all, 0.99) / 1000).toFixed(2)}× of 1 s`);
    return { ok: !lost && q(ingest, 0.99) < 50 && q(all, 0.99) <= 1000 };
  } finally {
    for (const b of boards) b.close();
    if (!service.child.killed && service.child.exitCode === null) await stopService(service.child);
    await cleanup?.();
  }
}

console.log(`Workshop load: ${cpus().length} CPUs, Node ${process.versions.node}`);
const dir = mkdtempSync(join(tmpdir(), 'onramp-bench-ws-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench</title>');
const dbFile = join(dir, 'bench.db');
const { DatabaseSync } = await import('node:sqlite');
const sqliteCount = async (code) => {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  const n = db.prepare('SELECT COUNT(*) AS n FROM events WHERE workshop = ?').get(code).n;
  db.close();
  return Number(n);
};
const results = [await run(`SQLite (synchronous=${process.env.ONRAMP_SQLITE_SYNC || 'full'})`, { ONRAMP_SITE_DIR: dir, ONRAMP_DB: dbFile, DATABASE_URL: '' }, sqliteCount)];
if (PG_URL) {
  const db = await pgSchema('bench_ws');
  const pgCount = async (code) => Number((await db.admin.query(`SELECT COUNT(*) AS n FROM ${db.schema}.events WHERE workshop = $1`, [code])).rows[0].n);
  results.push(await run('PostgreSQL', { ONRAMP_SITE_DIR: dir, DATABASE_URL: db.url }, pgCount, db.drop));
} else {
  console.log('\nPostgreSQL: skipped (set ONRAMP_BENCH_DATABASE_URL, or start one with `eval "$(.ci/postgres start)"`)');
}
agent.destroy();
rmSync(dir, { recursive: true, force: true });
process.exit(results.every((r) => r.ok) ? 0 : 1);
