/**
 * The browser's SSE reader (src/workshops/stream.ts) against the real service: a learner's stream
 * that drops reconnects with Last-Event-ID and gets what was sent meanwhile, once; a board stream
 * that drops gets only the rows that changed; a refused token stops instead of retrying.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createService, type Service } from '../../../src/server/app.ts';
import { readFeedbackConfig } from '../../../src/server/feedback/config.ts';
import { feedbackPart } from '../../../src/server/feedback/part.ts';
import { workshopsPart } from '../../../src/server/workshops/part.ts';
import { loadPersonas, personaIds, projectRoot } from '../../../src/shared/personas.ts';
import { labSteps } from '../../../src/shared/lab-files.ts';
import type { StreamEvent } from '../../../src/workshops/stream.ts';
import { until } from '../../helpers/until.ts';

const ADMIN = 'unit-test-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'onramp-ws-stream-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
const LABS = labSteps(projectRoot());

let service: Service;
let base: string;
let openStream: typeof import('../../../src/workshops/stream.ts').openStream;

beforeAll(async () => {
  const config = readFeedbackConfig({ ONRAMP_DB: join(dir, 'db.sqlite'), ONRAMP_ADMIN_TOKEN: ADMIN, ONRAMP_RATE_LIMIT: '0', ONRAMP_TOKEN_RATE_LIMIT: '0' });
  const feedback = await feedbackPart(config, personaIds(), undefined, LABS);
  const workshops = workshopsPart({ store: feedback.store, labs: LABS, paths: new Map(loadPersonas().map((p) => [p.id, p.path])), siteDir: dir, retentionMs: 86_400_000 }, feedback);
  feedback.useEventHooks(workshops.hooks);
  service = await createService({ port: 0, host: '127.0.0.1', siteDir: dir }, [workshops, feedback]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  vi.stubEnv('PUBLIC_ONRAMP_API_URL', base);
  ({ openStream } = await import('../../../src/workshops/stream.ts'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await service?.close();
});

const post = async (path: string, body: unknown, token = ADMIN) => {
  const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
};

async function room() {
  const w = await post('/api/workshops', { title: 'Stream room', lab: 'pkl-to-endpoint', startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() });
  const joined = await post(`/api/workshops/${w.json.code}/join`, { name: 'Ana' });
  return { code: w.json.code as string, id: joined.json.participant.id as string, token: joined.json.token as string };
}

describe('the SSE reader', () => {
  it('reconnects a dropped learner stream with Last-Event-ID and gets what it missed, once', async () => {
    const { code, token } = await room();
    const got: StreamEvent[] = [];
    const states: string[] = [];
    const s = openStream({ path: `/api/workshops/${code}/me/stream`, token: () => token, onEvent: (e) => got.push(e), onState: (st) => states.push(st) });
    try {
      expect(await until(() => got.some((e) => e.event === 'state'))).toBe(true);
      await post(`/api/workshops/${code}/broadcast`, { text: 'one' });
      expect(await until(() => got.some((e) => e.event === 'broadcast'))).toBe(true);
      service.server.closeAllConnections();
      expect(await until(() => states.includes('reconnecting'))).toBe(true);
      await post(`/api/workshops/${code}/broadcast`, { text: 'two' });
      expect(await until(() => got.filter((e) => e.event === 'broadcast').length >= 2, 200)).toBe(true);
      await post(`/api/workshops/${code}/broadcast`, { text: 'three' });
      expect(await until(() => got.filter((e) => e.event === 'broadcast').length >= 3)).toBe(true);
      expect(got.filter((e) => e.event === 'broadcast').map((e) => (e.data as { text: string }).text)).toEqual(['one', 'two', 'three']);
      expect(states.filter((st) => st === 'open').length).toBeGreaterThanOrEqual(2);
    } finally {
      s.close();
    }
  });

  it('a board that drops gets only the rows that changed meanwhile', async () => {
    const { code, id, token } = await room();
    const got: StreamEvent[] = [];
    const s = openStream({ path: `/api/workshops/${code}/board/stream`, token: () => ADMIN, onEvent: (e) => got.push(e) });
    try {
      expect(await until(() => got.length >= 1)).toBe(true);
      expect((got[0]!.data as { full: boolean }).full).toBe(true);
      service.server.closeAllConnections();
      const ev = { id: randomUUID(), type: 'step_started', at: new Date().toISOString(), session: id, lab: 'pkl-to-endpoint', step: 'inspect', workshop: code };
      expect((await post('/api/events', { events: [ev], participant: token })).status).toBe(202);
      expect(await until(() => got.some((e) => (e.data as { rows: { step: string | null }[] }).rows.some((r) => r.step === 'pkl-to-endpoint/inspect')), 200)).toBe(true);
      const resumed = got.find((e) => (e.data as { rows: { step: string | null }[] }).rows.some((r) => r.step === 'pkl-to-endpoint/inspect'))!;
      expect((resumed.data as { full: boolean }).full).toBe(false);
    } finally {
      s.close();
    }
  });

  it('stops on a refused token instead of retrying', async () => {
    const { code } = await room();
    const states: [string, number | undefined][] = [];
    const s = openStream({ path: `/api/workshops/${code}/board/stream`, token: () => 'wrong', onEvent: () => {}, onState: (st, status) => states.push([st, status]) });
    expect(await until(() => states.length > 0)).toBe(true);
    expect(states).toEqual([['refused', 401]]);
    s.close();
  });
});
