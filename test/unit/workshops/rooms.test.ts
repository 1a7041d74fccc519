/**
 * Rooms leave memory: an ended workshop (or one past its end time) stays for a grace period, then
 * its boards and learners get a final `ended` event and are closed, and its board and report are
 * read from the store; the number of rooms in memory is bounded (the least recently used room
 * without streams makes way; a live one never does, so a new room is refused with 503 instead).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createService, type Service } from '../../../src/server/app.ts';
import { readFeedbackConfig } from '../../../src/server/feedback/config.ts';
import { feedbackPart } from '../../../src/server/feedback/part.ts';
import { workshopsPart } from '../../../src/server/workshops/part.ts';
import { readWorkshopConfig } from '../../../src/server/workshops/config.ts';
import { ConfigError } from '../../../src/server/config.ts';
import { createToken } from '../../../src/server/auth/tokens.ts';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import type { Store } from '../../../src/server/store/types.ts';
import { loadPersonas, personaIds, projectRoot } from '../../../src/shared/personas.ts';
import { labSteps } from '../../../src/shared/lab-files.ts';
import { call, sse } from '../../helpers/http.ts';
import { until } from '../../helpers/until.ts';

const ADMIN = 'unit-test-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'onramp-rooms-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
mkdirSync(join(dir, 'workshops', 'board'), { recursive: true });
writeFileSync(join(dir, 'workshops', 'board', 'index.html'), '<!doctype html><title>board page</title>');
const LABS = labSteps(projectRoot());
const LAB = 'pkl-to-endpoint';
const STEPS = [...LABS.get(LAB)!];
const GRACE = 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

let store: Store;
let service: Service;
let workshops: ReturnType<typeof workshopsPart>;
let base: string;
let instructor: Record<string, string>;
/** The service's clock: moved by the tests, never read from the wall for assertions. */
const clock = { now: Date.now() };

beforeAll(async () => {
  store = await openSqliteStore(join(dir, `${randomUUID()}.db`));
  const config = readFeedbackConfig({ ONRAMP_DB: ':memory:', ONRAMP_ADMIN_TOKEN: ADMIN, ONRAMP_RATE_LIMIT: '0', ONRAMP_TOKEN_RATE_LIMIT: '0' });
  const feedback = await feedbackPart(config, personaIds(), store, LABS);
  workshops = workshopsPart(
    { store, labs: LABS, paths: new Map(loadPersonas().map((p) => [p.id, p.path])), siteDir: dir, retentionMs: 365 * 86_400_000, limits: { maxRooms: 3, endedGraceMs: GRACE }, now: () => clock.now },
    feedback,
  );
  feedback.useEventHooks(workshops.hooks);
  service = await createService({ port: 0, host: '127.0.0.1', siteDir: dir }, [workshops, { ...feedback, close: undefined }]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  instructor = { Authorization: `Bearer ${(await createToken(store, 'Ina', 'instructor')).token}` };
});
afterAll(async () => {
  await service?.close();
  await store?.close();
});

const streams: { close(): void }[] = [];
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
  // Whatever a test left in memory goes, so each starts with room to spare.
  clock.now += 400 * 86_400_000;
  workshops.rooms.sweep();
});

async function create(minutes = 60) {
  const r = await call(base, 'POST', '/api/workshops', { title: 'Room', lab: LAB, startsAt: iso(clock.now - 60_000), endsAt: iso(clock.now + minutes * 60_000) }, instructor);
  expect(r.status, r.body).toBe(201);
  return r.json.code as string;
}
async function enter(code: string, name = 'Ana') {
  const r = await call(base, 'POST', `/api/workshops/${code}/join`, { name });
  expect(r.status, r.body).toBe(201);
  return r.json as { participant: { id: string }; token: string };
}
function open(path: string, headers: Record<string, string>) {
  const s = sse(base, path, headers);
  streams.push(s);
  return s;
}
async function progress(code: string, p: { participant: { id: string }; token: string }) {
  // Learners' clocks are real ones (the service refuses events from far in the future).
  const at = (n: number) => iso(Date.now() - 10_000 + n);
  const events = [
    { id: randomUUID(), type: 'step_started', at: at(0), session: p.participant.id, lab: LAB, step: STEPS[0], workshop: code },
    { id: randomUUID(), type: 'check_passed', at: at(1), session: p.participant.id, lab: LAB, step: STEPS[0], workshop: code },
    { id: randomUUID(), type: 'step_started', at: at(2), session: p.participant.id, lab: LAB, step: STEPS[1], workshop: code },
  ];
  const r = await call(base, 'POST', '/api/events', { events, participant: p.token });
  expect(r.status, r.body).toBe(202);
}

describe('an ended workshop leaves memory after the grace period', () => {
  it('its streams get a final ended event and close; its board and report are then read from the store', async () => {
    const code = await create();
    const ana = await enter(code);
    await progress(code, ana);
    const board = open(`/api/workshops/${code}/board/stream`, instructor);
    const learner = open(`/api/workshops/${code}/me/stream`, { Authorization: `Bearer ${ana.token}` });
    await Promise.all([board.ready, learner.ready]);
    expect(await until(() => board.events.length > 0 && learner.events.some((e) => e.event === 'state'))).toBe(true);
    const before = (await call(base, 'GET', `/api/workshops/${code}/report`, undefined, instructor)).json;

    expect((await call(base, 'POST', `/api/workshops/${code}/end`, undefined, instructor)).status).toBe(200);
    expect(await until(() => learner.events.some((e) => e.event === 'end'))).toBe(true);
    // Within the grace period the room stays, and so does the board's stream.
    clock.now += GRACE - 1000;
    expect(workshops.rooms.sweep()).toEqual([]);
    expect(workshops.rooms.has(code)).toBe(true);
    expect(board.closed()).toBe(false);

    clock.now += 2000;
    expect(workshops.rooms.sweep()).toEqual([code]);
    expect(workshops.rooms.has(code)).toBe(false);
    expect(await until(() => board.closed() && learner.closed())).toBe(true);
    expect(board.events.at(-1)).toMatchObject({ event: 'ended', data: { workshop: { code, ended: true } } });
    expect(learner.events.at(-1)).toMatchObject({ event: 'ended' });

    // The report and the board still work, read from the store, and the room stays out of memory.
    const after = await call(base, 'GET', `/api/workshops/${code}/report`, undefined, instructor);
    expect(after.status).toBe(200);
    expect(after.json.steps).toEqual(before.steps);
    expect(after.json).toMatchObject({ participants: 1, steps: [{ step: STEPS[0], passed: 1 }, { step: STEPS[1], reached: 1 }, ...STEPS.slice(2).map(() => ({}))] });
    const rows = (await call(base, 'GET', `/api/workshops/${code}/board`, undefined, instructor)).json.rows;
    expect(rows).toEqual([expect.objectContaining({ id: ana.participant.id, step: `${LAB}/${STEPS[1]}` })]);
    expect(workshops.rooms.has(code)).toBe(false);

    // A board opened now gets the whole board, then `ended`, and the stream closes.
    const late = open(`/api/workshops/${code}/board/stream`, instructor);
    await late.ready;
    expect(await until(() => late.closed())).toBe(true);
    expect(late.events.map((e) => e.event)).toEqual(['board', 'ended']);
    expect(late.events[0]!.data).toMatchObject({ full: true, rows: [expect.objectContaining({ id: ana.participant.id })] });
    expect(workshops.rooms.has(code)).toBe(false);
    // Nothing more can happen in it: no acknowledgement, no hand, no join.
    expect((await call(base, 'POST', `/api/workshops/${code}/hand`, { note: 'x' }, { Authorization: `Bearer ${ana.token}` })).status).toBe(410);
    expect((await call(base, 'POST', `/api/workshops/${code}/join`, { name: 'Late' })).status).toBe(410);
  });

  it('a workshop whose time ran out (never ended) leaves too; its learners are told it ended', async () => {
    const code = await create(5);
    const ana = await enter(code);
    const learner = open(`/api/workshops/${code}/me/stream`, { Authorization: `Bearer ${ana.token}` });
    await learner.ready;
    expect(await until(() => learner.events.some((e) => e.event === 'state'))).toBe(true);
    clock.now += 5 * 60_000 + GRACE - 1000;
    expect(workshops.rooms.sweep()).toEqual([]);
    clock.now += 2000;
    expect(workshops.rooms.sweep()).toEqual([code]);
    expect(await until(() => learner.closed())).toBe(true);
    expect(learner.events.map((e) => e.event)).toEqual(['state', 'ended']);
    // The participant's stream, opened again, says so and closes (their banner stops).
    const again = open(`/api/workshops/${code}/me/stream`, { Authorization: `Bearer ${ana.token}` });
    await again.ready;
    expect(await until(() => again.closed())).toBe(true);
    expect(again.events.map((e) => e.event)).toEqual(['state', 'ended']);
    expect(again.events[0]!.data.workshop.ended).toBe(true);
  });

  it('extending a workshop that ran out brings it back into memory, live', async () => {
    const code = await create(5);
    clock.now += 5 * 60_000 + GRACE + 1000;
    expect((await call(base, 'GET', `/api/workshops/${code}`)).json.ended).toBe(true);
    expect(workshops.rooms.has(code)).toBe(false);
    const ext = await call(base, 'POST', `/api/workshops/${code}/extend`, { minutes: 15 }, instructor);
    expect(ext.status, ext.body).toBe(200);
    expect(ext.json.ended).toBe(false);
    expect(workshops.rooms.has(code)).toBe(true);
    const ana = await enter(code);
    const board = open(`/api/workshops/${code}/board/stream`, instructor);
    await board.ready;
    await progress(code, ana);
    const stepOf = () => board.events.flatMap((e) => e.data.rows ?? []).filter((r: { id: string }) => r.id === ana.participant.id).at(-1)?.step;
    expect(await until(() => stepOf() === `${LAB}/${STEPS[1]}`)).toBe(true);
  });
});

describe('a bounded number of rooms in memory', () => {
  it('the least recently used room without streams makes way, and comes back intact when asked for', async () => {
    const [a, b, c, d] = [await create(), await create(), await create(), await create()];
    const ana = await enter(a);
    await progress(a, ana);
    const boardA = (await call(base, 'GET', `/api/workshops/${a}/board`, undefined, instructor)).json.rows;
    for (const code of [b, c]) expect((await call(base, 'GET', `/api/workshops/${code}`)).status).toBe(200);
    expect(workshops.rooms.size).toBe(3);
    // A fourth room: the limit is 3, so A (least recently used, no streams) makes way.
    expect((await call(base, 'GET', `/api/workshops/${d}`)).status).toBe(200);
    expect(workshops.rooms.size).toBe(3);
    expect([a, b, c, d].map((code) => workshops.rooms.has(code))).toEqual([false, true, true, true]);
    // Asked for again, A is read from the store with everything it had (and B makes way).
    expect((await call(base, 'GET', `/api/workshops/${a}/board`, undefined, instructor)).json.rows).toEqual(boardA);
    expect([a, b, c, d].map((code) => workshops.rooms.has(code))).toEqual([true, false, true, true]);
  });

  it('a room with open streams is never pushed out: a new room is refused with 503 until one is free', async () => {
    const codes = [await create(), await create(), await create()];
    const boards = codes.map((code) => open(`/api/workshops/${code}/board/stream`, instructor));
    await Promise.all(boards.map((s) => s.ready));
    expect(await until(() => boards.every((s) => s.events.length > 0))).toBe(true);
    const extra = await create();
    const refused = await call(base, 'GET', `/api/workshops/${extra}`);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/ONRAMP_WORKSHOP_MAX_ROOMS/);
    expect(workshops.rooms.size).toBe(3);
    expect(boards.some((s) => s.closed())).toBe(false);
    // One board closes: its room may now make way.
    boards[1]!.close();
    expect(await until(async () => (await call(base, 'GET', `/api/workshops/${extra}`)).status === 200)).toBe(true);
    expect(workshops.rooms.has(codes[1]!)).toBe(false);
    expect(workshops.rooms.has(extra)).toBe(true);
    expect(workshops.rooms.size).toBe(3);
  });

  it('rooms long over make way first, before any room that still runs', async () => {
    const old = await create(5);
    expect((await call(base, 'GET', `/api/workshops/${old}`)).status).toBe(200);
    clock.now += 5 * 60_000 + GRACE + 1000;
    const live = [await create(), await create()];
    const boards = live.map((code) => open(`/api/workshops/${code}/board/stream`, instructor));
    await Promise.all(boards.map((s) => s.ready));
    expect(await until(() => boards.every((s) => s.events.length > 0))).toBe(true);
    expect(workshops.rooms.size).toBe(3);
    const next = await create();
    expect((await call(base, 'GET', `/api/workshops/${next}`)).status).toBe(200);
    expect([old, ...live, next].map((code) => workshops.rooms.has(code))).toEqual([false, true, true, true]);
  });
});

describe('configuration', () => {
  it('reads the limit and the grace period, and refuses values that cannot be', () => {
    expect(readWorkshopConfig({})).toEqual({ retentionMs: 30 * 86_400_000, maxRooms: 100, endedGraceMs: 30 * 60_000 });
    expect(readWorkshopConfig({ ONRAMP_WORKSHOP_MAX_ROOMS: '5', ONRAMP_WORKSHOP_GRACE_MINUTES: '0.5' })).toMatchObject({ maxRooms: 5, endedGraceMs: 30_000 });
    for (const env of [{ ONRAMP_WORKSHOP_MAX_ROOMS: '0' }, { ONRAMP_WORKSHOP_MAX_ROOMS: '2.5' }, { ONRAMP_WORKSHOP_MAX_ROOMS: 'lots' }, { ONRAMP_WORKSHOP_GRACE_MINUTES: '-1' }, { ONRAMP_WORKSHOP_RETENTION_DAYS: 'x' }]) {
      expect(() => readWorkshopConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
    expect(() => readWorkshopConfig({ ONRAMP_WORKSHOP_MAX_ROOMS: '0' })).toThrow(/ONRAMP_WORKSHOP_MAX_ROOMS=0 is not valid: expected a number of workshops from 1 to 100000/);
  });
});
