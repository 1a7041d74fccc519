/**
 * A workshop room behind one address (a NAT: many learners, one IP, one browser build): what a
 * participant sends with their token (events, feedback, their stream, their hand) is limited per
 * participant, so the room does not share one client's budget; requests without a verified
 * token (joining, other pages, a wrong token) stay limited per client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createService, type Service } from '../../../src/server/app.ts';
import { readFeedbackConfig } from '../../../src/server/feedback/config.ts';
import { feedbackPart } from '../../../src/server/feedback/part.ts';
import { workshopsPart } from '../../../src/server/workshops/part.ts';
import { createToken } from '../../../src/server/auth/tokens.ts';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import type { Store } from '../../../src/server/store/types.ts';
import { loadPersonas, personaIds, projectRoot } from '../../../src/shared/personas.ts';
import { labSteps } from '../../../src/shared/lab-files.ts';
import { call, sse } from '../../helpers/http.ts';
import { until } from '../../helpers/until.ts';

const LIMIT = 8;
const dir = mkdtempSync(join(tmpdir(), 'onramp-ws-limit-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
const LABS = labSteps(projectRoot());
const LAB = 'pkl-to-endpoint';
const STEP = [...LABS.get(LAB)!][0]!;

let store: Store;
let service: Service;
let base: string;
/** The rate limiter's clock stands still: buckets refill only when a test says so. */
const clock = { now: Date.now() };

beforeAll(async () => {
  store = await openSqliteStore(join(dir, `${randomUUID()}.db`));
  const config = readFeedbackConfig({ ONRAMP_DB: ':memory:', ONRAMP_ADMIN_TOKEN: 'unit-test-admin-token-0123456789', ONRAMP_RATE_LIMIT: String(LIMIT), ONRAMP_TOKEN_RATE_LIMIT: '0' });
  const feedback = await feedbackPart(config, personaIds(), store, LABS, () => clock.now);
  const workshops = workshopsPart({ store, labs: LABS, paths: new Map(loadPersonas().map((p) => [p.id, p.path])), siteDir: dir, retentionMs: 86_400_000 }, feedback);
  feedback.useEventHooks(workshops.hooks);
  service = await createService({ port: 0, host: '127.0.0.1', siteDir: dir }, [workshops, { ...feedback, close: undefined }]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await service?.close();
  await store?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();
type Joined = { participant: { id: string }; token: string };
const events = (code: string, p: Joined) => ({
  participant: p.token,
  events: [{ id: randomUUID(), type: 'hint_viewed', at: iso(Date.now() - 1000), session: p.participant.id, lab: LAB, step: STEP, workshop: code }],
});

describe('rate limits in a room behind one address', () => {
  it('charges what participants send to each participant, and the rest to the client', async () => {
    // Every request below comes from 127.0.0.1 with the same (absent) user agent: one client.
    const instructor = { Authorization: `Bearer ${(await createToken(store, 'Ina', 'instructor')).token}` };
    const made = await call(base, 'POST', '/api/workshops', { title: 'NAT room', lab: LAB, startsAt: iso(Date.now() - 60_000), endsAt: iso(Date.now() + 3_600_000) }, instructor);
    expect(made.status, made.body).toBe(201);
    const code = made.json.code as string;
    const people: Joined[] = [];
    for (const name of ['Ana', 'Bo', 'Cy', 'Di']) {
      const r = await call(base, 'POST', `/api/workshops/${code}/join`, { name });
      expect(r.status, r.body).toBe(201);
      people.push(r.json);
    }
    const [ana, bo, cy, di] = people as [Joined, Joined, Joined, Joined];
    // The client has spent 5 of its 8 (creating and joining); the room sends far more than 8 in all.
    for (const p of [ana, bo, cy]) {
      for (let i = 0; i < LIMIT; i++) {
        const r = await call(base, 'POST', '/api/events', events(code, p));
        expect(r.status, `${p.participant.id} request ${i + 1}: ${r.body}`).toBe(202);
      }
    }
    // A participant over their own budget waits, and only they do.
    const over = await call(base, 'POST', '/api/events', events(code, ana));
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(base, 'POST', '/api/events', events(code, di))).status).toBe(202);

    // Without a verified token, requests are the client's: 3 left, then 429.
    for (let i = 0; i < 3; i++) expect((await call(base, 'GET', `/api/workshops/${code}`)).status).toBe(200);
    expect((await call(base, 'GET', `/api/workshops/${code}`)).status).toBe(429);
    expect((await call(base, 'POST', `/api/workshops/${code}/join`, { name: 'Ed' })).status).toBe(429);
    // A wrong token (well formed) is the client's too: refused by the limit before anything else.
    const forged = { ...di, token: `${di.participant.id}.${'x'.repeat(43)}` };
    expect((await call(base, 'POST', '/api/events', events(code, forged))).status).toBe(429);
    expect((await call(base, 'GET', `/api/workshops/${code}/me/stream`, undefined, { Authorization: `Bearer ${forged.token}` })).status).toBe(429);
    const unauthenticated = { events: [{ id: randomUUID(), type: 'lab_started', at: iso(Date.now() - 1000), session: randomUUID(), lab: LAB }] };
    expect((await call(base, 'POST', '/api/events', unauthenticated)).status).toBe(429);

    // The participants themselves still get through: their stream, their hand, their feedback.
    const stream = sse(base, `/api/workshops/${code}/me/stream`, { Authorization: `Bearer ${di.token}` });
    await stream.ready;
    expect(stream.status()).toBe(200);
    expect(await until(() => stream.events.some((e) => e.event === 'state'))).toBe(true);
    stream.close();
    const hand = await call(base, 'POST', `/api/workshops/${code}/hand`, { note: 'stuck behind the NAT' }, { Authorization: `Bearer ${di.token}` });
    expect(hand.status, hand.body).toBe(201);
    const feedback = { id: randomUUID(), page: `/labs/${LAB}/`, helpful: false, kind: 'stuck', lab: LAB, step: STEP, workshop: code, participant: di.token };
    expect((await call(base, 'POST', '/api/feedback', feedback)).status).toBe(202);

    // A minute later every budget is full again.
    clock.now += 60_000;
    expect((await call(base, 'POST', '/api/events', events(code, ana))).status).toBe(202);
    expect((await call(base, 'GET', `/api/workshops/${code}`)).status).toBe(200);
  });

  it('a wrong token costs the client, never the participant it names', async () => {
    clock.now += 60_000;
    const instructor = { Authorization: `Bearer ${(await createToken(store, `Ina ${randomUUID()}`, 'instructor')).token}` };
    const made = await call(base, 'POST', '/api/workshops', { title: 'Room', lab: LAB, startsAt: iso(Date.now() - 60_000), endsAt: iso(Date.now() + 3_600_000) }, instructor);
    const code = made.json.code as string;
    const r = await call(base, 'POST', `/api/workshops/${code}/join`, { name: 'Fay' });
    const fay = r.json as Joined;
    const forged = { ...fay, token: `${fay.participant.id}.${'y'.repeat(43)}` };
    // 2 spent; 6 forged requests spend the rest and are refused as forged (403), then the limit answers.
    for (let i = 0; i < LIMIT - 2; i++) expect((await call(base, 'POST', '/api/events', events(code, forged))).status).toBe(403);
    expect((await call(base, 'POST', '/api/events', events(code, forged))).status).toBe(429);
    // Fay's own budget is untouched.
    for (let i = 0; i < LIMIT; i++) expect((await call(base, 'POST', '/api/events', events(code, fay))).status).toBe(202);
  });
});
