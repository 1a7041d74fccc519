/**
 * kill -9 in the middle of a load: every event and feedback item the service acknowledged (202)
 * is there exactly once after a restart. Runs the real service process (src/server/main.ts) over
 * a temporary SQLite file and a temporary built-site folder.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';

/** Steps of a real lab: the service refuses events that name no lab or step of the site. */
const STEPS = ['inspect', 'scan', 'predict'];

const main = join(import.meta.dirname, '../../../src/server/main.ts');
const TOKEN = 'crash-test-admin-token-0123456789';

function startService(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ONRAMP_RATE_LIMIT: '0', ONRAMP_ADMIN_TOKEN: TOKEN, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /serving .* on (http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolve({ child, base: m[1]!.replace('localhost', '127.0.0.1') });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`service exited (${code}) before serving:\n${out}`)));
  });
}

describe('durability under kill -9', () => {
  it('keeps every acknowledged item exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-crash-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>site</title>');
    const env = { ONRAMP_DB: join(dir, 'onramp.db'), ONRAMP_SITE_DIR: dir };
    const first = await startService(env);

    const ackedEvents = new Set<string>();
    const ackedFeedback = new Set<string>();
    let stop = false;
    let killedAt = 0;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          if (i % 10 === 9) {
            const id = randomUUID();
            const res = await fetch(`${first.base}/api/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, page: '/crash/', helpful: i % 2 === 0, comment: `worker ${w}` }) });
            if (res.status === 202) ackedFeedback.add(id);
            continue;
          }
          const events = Array.from({ length: 20 }, () => ({ id: randomUUID(), type: 'step_started', at: new Date().toISOString(), session: `crash-session-${w}`, lab: 'pkl-to-endpoint', step: STEPS[i % STEPS.length] }));
          // Resend some earlier ids: duplicates must stay harmless across the crash too.
          const res = await fetch(`${first.base}/api/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ events }) });
          if (res.status === 202) for (const e of events) ackedEvents.add(e.id);
        } catch {
          if (killedAt) return; // the service is gone
        }
      }
    };
    const workers = Array.from({ length: 24 }, (_, w) => worker(w));
    // Kill once thousands are in, in the middle of the stream.
    while (ackedEvents.size < 4000) await new Promise((r) => setTimeout(r, 20));
    killedAt = Date.now();
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    stop = true;
    await Promise.all(workers);
    expect(ackedEvents.size).toBeGreaterThanOrEqual(4000);

    const second = await startService(env);
    try {
      const headers = { Authorization: `Bearer ${TOKEN}` };
      const events = (await (await fetch(`${second.base}/api/insights/export?kind=events&format=json`, { headers })).json()) as { id: string }[];
      const feedback = (await (await fetch(`${second.base}/api/insights/export?kind=feedback&format=json`, { headers })).json()) as { id: string }[];
      const eventIds = events.map((e) => e.id);
      const feedbackIds = feedback.map((f) => f.id);
      expect(new Set(eventIds).size).toBe(eventIds.length); // exactly once
      expect(new Set(feedbackIds).size).toBe(feedbackIds.length);
      const storedEvents = new Set(eventIds);
      const storedFeedback = new Set(feedbackIds);
      const lostEvents = [...ackedEvents].filter((id) => !storedEvents.has(id));
      const lostFeedback = [...ackedFeedback].filter((id) => !storedFeedback.has(id));
      expect(lostEvents).toEqual([]);
      expect(lostFeedback).toEqual([]);
      // Batches are atomic: every stored event belongs to a whole stored batch of 20.
      expect(eventIds.length % 20).toBe(0);
      // And the service still takes writes after the crash.
      const res = await fetch(`${second.base}/api/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ events: [{ id: randomUUID(), type: 'lab_started', at: new Date().toISOString(), session: 'after-crash-1', lab: 'pkl-to-endpoint' }] }) });
      expect(res.status).toBe(202);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  }, 120_000);
});
