// Where the collector's tail latency comes from: the SQLite store alone (no HTTP), single events
// at a paced rate, measuring each addEvents() from call to acknowledgement, with the event
// loop's delay alongside (ONRAMP_SQLITE_SYNC=normal to compare without a sync per commit).
//   node --experimental-strip-types bench/collector/store-only.ts [--rate 5000] [--duration 8]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openSqliteStore } from '../../src/server/store/sqlite.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RATE = arg('rate', 5000);
const DURATION = arg('duration', 8);
const dir = mkdtempSync(join(tmpdir(), 'onramp-store-bench-'));
const store = openSqliteStore(join(dir, 'b.db'), { synchronous: (process.env.ONRAMP_SQLITE_SYNC as 'full' | 'normal') ?? 'full' });
const lat: number[] = [];
const loop = monitorEventLoopDelay({ resolution: 1 });
const event = () => ({ id: randomUUID(), type: 'step_started' as const, at: new Date().toISOString(), session: 'bench-session-01', lab: 'pkl-to-endpoint', step: 'scan' });
// Warm up.
await Promise.all(Array.from({ length: 2000 }, () => store.addEvents([event()], Date.now())));
loop.enable();
const pending = new Set<Promise<unknown>>();
const started = performance.now();
let last = started;
let owed = 0;
while (performance.now() - started < DURATION * 1000) {
  await new Promise((r) => setTimeout(r, 1));
  const now = performance.now();
  owed += ((now - last) * RATE) / 1000;
  last = now;
  for (; owed >= 1; owed--) {
    const t = performance.now();
    const p = store.addEvents([event()], Date.now()).then(() => lat.push(performance.now() - t));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
}
await Promise.all(pending);
loop.disable();
lat.sort((a, b) => a - b);
const q = (x: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * x))]!.toFixed(1);
console.log(`store only, ${RATE}/s single events: p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  max ${lat[lat.length - 1]!.toFixed(1)} ms  (${lat.length} events); event loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms max ${(loop.max / 1e6).toFixed(1)} ms`);
await store.close();
rmSync(dir, { recursive: true, force: true });
