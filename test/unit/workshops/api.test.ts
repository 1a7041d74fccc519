/**
 * Workshops over HTTP on a real service, once on SQLite and once on PostgreSQL (when
 * ONRAMP_TEST_DATABASE_URL is set): create, join, progress, hands, acknowledgements, broadcasts,
 * the live board and the learner's stream (with Last-Event-ID), end, report, retention, a
 * restart, and bad input that must be refused without a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createService, type Service } from '../../../src/server/app.ts';
import { readFeedbackConfig } from '../../../src/server/feedback/config.ts';
import { feedbackPart } from '../../../src/server/feedback/part.ts';
import { workshopsPart } from '../../../src/server/workshops/part.ts';
import { createToken } from '../../../src/server/auth/tokens.ts';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import { openPostgresStore } from '../../../src/server/store/postgres.ts';
import type { Store } from '../../../src/server/store/types.ts';
import { loadPersonas, personaIds, projectRoot } from '../../../src/shared/personas.ts';
import { labSteps } from '../../../src/shared/lab-files.ts';
import { until } from '../../helpers/until.ts';
import { call, sse } from '../../helpers/http.ts';

const PG_URL = process.env.ONRAMP_TEST_DATABASE_URL;
const ADMIN = 'unit-test-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'onramp-workshops-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
writeFileSync(join(dir, '404.html'), '<!doctype html><title>not found</title>');
mkdirSync(join(dir, 'workshops', 'board'), { recursive: true });
writeFileSync(join(dir, 'workshops', 'board', 'index.html'), '<!doctype html><title>board page</title>');
const LABS = labSteps(projectRoot());
const PATHS = new Map(loadPersonas().map((p) => [p.id, p.path]));
const LAB = 'pkl-to-endpoint';
const STEPS = [...LABS.get(LAB)!];

interface Backend {
  name: string;
  skip?: string;
  open(): Promise<Store>;
  cleanup?(): Promise<void>;
}
const schema = `w_${process.pid}_${Date.now()}`;
const pgUrl = PG_URL ? `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : '';
const backends: Backend[] = [
  { name: 'SQLite', open: async () => openSqliteStore(join(dir, `${randomUUID()}.db`)) },
  {
    name: 'PostgreSQL',
    skip: PG_URL ? undefined : 'PostgreSQL suite skipped: set ONRAMP_TEST_DATABASE_URL',
    async open() {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      return openPostgresStore(pgUrl, { poolSize: 6 });
    },
    async cleanup() {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  },
];

/** A service over `store`; `clock` lets a test move time (retention, ended workshops). */
async function start(store: Store, clock: { now: number | null }) {
  const now = () => clock.now ?? Date.now();
  const config = readFeedbackConfig({ ONRAMP_DB: ':memory:', ONRAMP_ADMIN_TOKEN: ADMIN, ONRAMP_RATE_LIMIT: '0', ONRAMP_TOKEN_RATE_LIMIT: '0' });
  const feedback = await feedbackPart(config, personaIds(), store, LABS);
  const workshops = workshopsPart({ store, labs: LABS, paths: PATHS, siteDir: dir, retentionMs: 30 * 86_400_000, now }, feedback);
  feedback.useEventHooks(workshops.hooks);
  // The feedback part closes the store; this test closes it once, itself.
  const service = await createService({ port: 0, host: '127.0.0.1', siteDir: dir }, [workshops, { ...feedback, close: undefined }]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  return { service, workshops, base: `http://127.0.0.1:${(service.server.address() as AddressInfo).port}` };
}

const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;
const event = (type: string, session: string, code: string, step?: string, over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type,
  at: iso(Date.now() - 1000 + ++seq),
  session,
  lab: LAB,
  ...(step ? { step } : {}),
  workshop: code,
  ...over,
});

for (const backend of backends) {
  const suite = backend.skip ? describe.skip : describe;
  suite(`workshops on ${backend.name}`, () => {
    let store: Store;
    let svc: Awaited<ReturnType<typeof start>>;
    const clock: { now: number | null } = { now: null };
    let instructor: Record<string, string>;
    let base: string;

    beforeAll(async () => {
      store = await backend.open();
      svc = await start(store, clock);
      base = svc.base;
      const made = await createToken(store, `Ina ${backend.name}`, 'instructor');
      instructor = { Authorization: `Bearer ${made.token}` };
    });
    afterAll(async () => {
      await svc?.service.close();
      await store?.close();
      await backend.cleanup?.();
    });

    const create = async (over: Record<string, unknown> = {}) => {
      const r = await call(base, 'POST', '/api/workshops', { title: 'Onboarding <b>room</b>', lab: LAB, startsAt: iso(Date.now() - 60_000), endsAt: iso(Date.now() + 3_600_000), ...over }, instructor);
      expect(r.status, r.body).toBe(201);
      return r.json as { code: string; joinUrl: string; boardUrl: string; steps: { lab: string; step: string }[] };
    };
    const join = async (code: string, name: string) => {
      const r = await call(base, 'POST', `/api/workshops/${code}/join`, { name });
      expect(r.status, r.body).toBe(201);
      return r.json as { participant: { id: string; name: string }; token: string };
    };
    const send = (events: unknown[], token?: string) => call(base, 'POST', '/api/events', { events, ...(token ? { participant: token } : {}) });

    it('an instructor creates a workshop and gets a short code, a join URL and the steps of its lab', async () => {
      const w = await create();
      expect(w.code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
      expect(w.joinUrl).toBe(`/workshops/join/?code=${w.code}`);
      expect(w.boardUrl).toBe(`/workshops/${w.code}/board/`);
      expect(w.steps.map((s) => s.step)).toEqual(STEPS);
      const info = await call(base, 'GET', `/api/workshops/${w.code.toLowerCase()}`);
      expect(info.json).toMatchObject({ code: w.code, title: 'Onboarding <b>room</b>', ended: false, participants: 0 });
    });

    it('a persona path becomes the steps of the labs on it', async () => {
      const w = await create({ lab: undefined, path: 'data-scientist' });
      expect(new Set(w.steps.map((s) => s.lab))).toEqual(new Set([LAB]));
      const none = await call(base, 'POST', '/api/workshops', { title: 't', path: 'app-developer', startsAt: iso(Date.now()), endsAt: iso(Date.now() + 60_000) }, instructor);
      expect(none.status).toBe(400);
      expect(none.json.error).toMatch(/^path: .*no lab/);
    });

    it('refuses to create without an instructor token, or with bad fields', async () => {
      const body = { title: 't', lab: LAB, startsAt: iso(Date.now()), endsAt: iso(Date.now() + 60_000) };
      expect((await call(base, 'POST', '/api/workshops', body)).status).toBe(401);
      expect((await call(base, 'POST', '/api/workshops', body, { Authorization: 'Bearer nope' })).status).toBe(401);
      for (const [over, field] of [
        [{ lab: 'no-such-lab' }, 'lab'],
        [{ endsAt: iso(Date.now() - 1000) }, 'endsAt'],
        [{ endsAt: iso(Date.now() + 30 * 86_400_000) }, 'endsAt'],
        [{ path: 'data-scientist' }, 'lab'],
        [{ capacity: 0 }, 'capacity'],
        [{ startsAt: 'tomorrow' }, 'startsAt'],
        [{ extra: 1 }, 'body'],
      ] as const) {
        const r = await call(base, 'POST', '/api/workshops', { ...body, ...over }, instructor);
        expect(r.status, JSON.stringify(over)).toBe(400);
        expect(r.json.error.startsWith(field), r.json.error).toBe(true);
      }
    });

    it('joins with a neutralised name; refuses HTML-only, 10,000-character and empty names, unknown codes and full rooms', async () => {
      const w = await create({ capacity: 2 });
      const a = await join(w.code, '<script>alert(1)</script>Ana');
      expect(a.participant.name).toBe('scriptalert(1)/scriptAna');
      expect(a.token).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
      for (const name of ['x'.repeat(10_000), '   ', '<>', 17]) {
        const r = await call(base, 'POST', `/api/workshops/${w.code}/join`, { name });
        expect([400, 413], String(name).slice(0, 20)).toContain(r.status);
      }
      expect((await call(base, 'POST', '/api/workshops/ZZZZZZ/join', { name: 'Bo' })).status).toBe(404);
      expect((await call(base, 'POST', '/api/workshops/..%2F..%2Fetc/join', { name: 'Bo' })).status).toBe(404);
      expect((await call(base, 'GET', '/api/workshops/ZZZZZZ')).status).toBe(404);
      await join(w.code, 'Bo');
      const full = await call(base, 'POST', `/api/workshops/${w.code}/join`, { name: 'Cy' });
      expect(full.status).toBe(409);
    });

    it('takes progress only with the participant token, for their own session; replays are counted as duplicates', async () => {
      const w = await create();
      const a = await join(w.code, 'Ana');
      const b = await join(w.code, 'Bo');
      const mine = [event('lab_started', a.participant.id, w.code, undefined, { data: { runtime: 'runner' } }), event('step_started', a.participant.id, w.code, STEPS[0])];
      expect((await send(mine)).status).toBe(403);
      const forB = await send([event('step_started', b.participant.id, w.code, STEPS[0])], a.token);
      expect(forB.status).toBe(403);
      expect(forB.json.error).toMatch(/another participant/);
      expect((await send(mine, `${a.participant.id}.${'x'.repeat(43)}`)).status).toBe(403);
      expect((await send([event('step_started', a.participant.id, 'ZZZZZZ', STEPS[0])], a.token)).status).toBe(403);
      const ok = await send(mine, a.token);
      expect(ok.status).toBe(202);
      expect(ok.json).toEqual({ accepted: 2, duplicates: 0 });
      const again = await send(mine, a.token);
      expect(again.json).toEqual({ accepted: 0, duplicates: 2 });
      const board = await call(base, 'GET', `/api/workshops/${w.code}/board`, undefined, instructor);
      const row = board.json.rows.find((r: { id: string }) => r.id === a.participant.id);
      expect(row).toMatchObject({ step: `${LAB}/${STEPS[0]}`, failedChecks: 0, runtime: 'runner' });
      // Nothing was stored for B by A's requests.
      const [count] = await store.query<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE session = ?', [b.participant.id]);
      expect(Number(count!.n)).toBe(0);
    });

    it("takes feedback carrying a workshop only with one of its participants' tokens, and never stores the token", async () => {
      const w = await create();
      const other = await create();
      const a = await join(w.code, 'Ana');
      const item = (over: Record<string, unknown> = {}) => ({ id: randomUUID(), page: `/labs/${LAB}/`, helpful: false, kind: 'stuck', lab: LAB, step: STEPS[0], workshop: w.code, comment: 'injected?', ...over });
      expect((await call(base, 'POST', '/api/feedback', item())).status).toBe(403);
      expect((await call(base, 'POST', '/api/feedback', item({ workshop: other.code, participant: a.token }))).status).toBe(403);
      expect((await call(base, 'POST', '/api/feedback', item({ workshop: 'ZZZZZZ', participant: a.token }))).status).toBe(403);
      const good = item({ participant: a.token, comment: 'really stuck' });
      expect((await call(base, 'POST', '/api/feedback', good)).status).toBe(202);
      const rows = await store.query<Record<string, unknown>>('SELECT * FROM feedback WHERE workshop = ?', [w.code]);
      expect(rows.map((r) => r.comment)).toEqual(['really stuck']);
      expect(JSON.stringify(rows)).not.toContain(a.token.split('.')[1]!);
    });

    it('refuses the board and its stream without a token, and an unknown workshop with a token; never a 5xx', async () => {
      const w = await create();
      expect((await call(base, 'GET', `/api/workshops/${w.code}/board`)).status).toBe(401);
      expect((await call(base, 'GET', `/api/workshops/${w.code}/board/stream`)).status).toBe(401);
      expect((await call(base, 'GET', `/api/workshops/${w.code}/report`)).status).toBe(401);
      expect((await call(base, 'POST', `/api/workshops/${w.code}/broadcast`, { text: 'hi' })).status).toBe(401);
      expect((await call(base, 'GET', '/api/workshops/ZZZZZZ/board', undefined, instructor)).status).toBe(404);
      expect((await call(base, 'GET', `/api/workshops/${w.code}/me/stream`)).status).toBe(401);
      expect((await call(base, 'GET', `/api/workshops/${w.code}/me/stream`, undefined, { Authorization: 'Bearer junk' })).status).toBe(401);
      expect((await call(base, 'POST', `/api/workshops/${w.code}/hand`, { note: 'x' })).status).toBe(401);
      expect((await call(base, 'POST', `/api/workshops/${w.code}/hands/${randomUUID()}/ack`, undefined, instructor)).status).toBe(404);
      expect((await call(base, 'POST', `/api/workshops/${w.code}/join`, '{"name":', { 'Content-Type': 'application/json' })).status).toBe(400);
    });

    it('serves the board page for a code, and the 404 page for anything else', async () => {
      const w = await create();
      const page = await call(base, 'GET', `/workshops/${w.code}/board/`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('board page');
      expect((await call(base, 'GET', '/workshops/not-a-code/board/')).status).toBe(404);
    });

    it('the board sorts raised hands first and streams updates; hands, acks, broadcasts and the end reach the learner, who resumes with Last-Event-ID', async () => {
      const w = await create();
      const people = [await join(w.code, 'Ana'), await join(w.code, 'Bo'), await join(w.code, 'Cy')];
      const board = sse(base, `/api/workshops/${w.code}/board/stream`, instructor);
      await board.ready;
      expect(board.status()).toBe(200);
      expect(await until(() => board.events.length >= 1)).toBe(true);
      expect(board.events[0]!.data.full).toBe(true);
      expect(board.events[0]!.data.rows).toHaveLength(3);

      const [ana, bo, cy] = people as [typeof people[0], typeof people[0], typeof people[0]];
      expect((await send([event('step_started', ana.participant.id, w.code, STEPS[0]), event('check_passed', ana.participant.id, w.code, STEPS[0]), event('step_started', ana.participant.id, w.code, STEPS[1])], ana.token)).status).toBe(202);
      expect((await send([event('step_started', bo.participant.id, w.code, STEPS[0]), event('check_failed', bo.participant.id, w.code, STEPS[0])], bo.token)).status).toBe(202);
      // The update names Ana on the second step.
      const rowOf = (id: string) => {
        for (let i = board.events.length - 1; i >= 0; i--) {
          const r = board.events[i]!.data.rows.find((x: { id: string }) => x.id === id);
          if (r) return r;
        }
        return null;
      };
      expect(await until(() => rowOf(ana.participant.id)?.step === `${LAB}/${STEPS[1]}` && rowOf(bo.participant.id)?.failedChecks === 1)).toBe(true);

      const learner = sse(base, `/api/workshops/${w.code}/me/stream`, { Authorization: `Bearer ${cy.token}` });
      await learner.ready;
      expect(await until(() => learner.events.some((e) => e.event === 'state'))).toBe(true);

      const raised = await call(base, 'POST', `/api/workshops/${w.code}/hand`, { step: `${LAB}/${STEPS[0]}`, note: 'scan says <unsafe>', checkOutput: 'exit 3\n' }, { Authorization: `Bearer ${cy.token}` });
      expect(raised.status, raised.body).toBe(201);
      expect(await until(() => rowOf(cy.participant.id)?.hand?.note === 'scan says <unsafe>')).toBe(true);
      const sorted = await call(base, 'GET', `/api/workshops/${w.code}/board`, undefined, instructor);
      expect(sorted.json.rows[0].id).toBe(cy.participant.id);
      // Cy raised a hand before starting a step: reached counts those who started it.
      expect(sorted.json.stats[0]).toMatchObject({ reached: 2, passed: 1, failedChecks: 1, hands: 1 });

      const ack = await call(base, 'POST', `/api/workshops/${w.code}/hands/${raised.json.hand.id}/ack`, undefined, instructor);
      expect(ack.status).toBe(200);
      expect(await until(() => learner.events.some((e) => e.event === 'ack'))).toBe(true);
      expect(await until(() => rowOf(cy.participant.id)?.hand?.ackedAt !== null)).toBe(true);
      const cast = await call(base, 'POST', `/api/workshops/${w.code}/broadcast`, { text: 'Break in 5 minutes' }, instructor);
      expect(cast.status).toBe(202);
      expect(await until(() => learner.events.some((e) => e.event === 'broadcast' && e.data.text === 'Break in 5 minutes'))).toBe(true);
      // Another learner's ack is not Ana's business; the broadcast is.
      const anaStream = sse(base, `/api/workshops/${w.code}/me/stream`, { Authorization: `Bearer ${ana.token}` });
      await anaStream.ready;
      expect(await until(() => anaStream.events.some((e) => e.event === 'broadcast'))).toBe(true);
      expect(anaStream.events.some((e) => e.event === 'ack')).toBe(false);
      anaStream.close();

      // Cy's stream drops; a broadcast is sent meanwhile; Cy resumes from the last id seen.
      const lastId = [...learner.events].reverse().find((e) => e.id)!.id!;
      learner.close();
      await call(base, 'POST', `/api/workshops/${w.code}/broadcast`, { text: 'While you were away' }, instructor);
      const resumed = sse(base, `/api/workshops/${w.code}/me/stream`, { Authorization: `Bearer ${cy.token}`, 'Last-Event-ID': lastId });
      await resumed.ready;
      expect(await until(() => resumed.events.some((e) => e.event === 'broadcast'))).toBe(true);
      expect(resumed.events.filter((e) => e.event !== 'state').map((e) => e.data.text)).toEqual(['While you were away']);

      // The board reconnects with its last id: it gets only what changed since.
      const boardLast = board.events[board.events.length - 1]!.id!;
      board.close();
      await send([event('hint_viewed', bo.participant.id, w.code, STEPS[0])], bo.token);
      const again = sse(base, `/api/workshops/${w.code}/board/stream`, { ...instructor, 'Last-Event-ID': boardLast });
      await again.ready;
      expect(await until(() => again.events.length >= 1)).toBe(true);
      expect(again.events[0]!.data.full).toBe(false);
      expect(again.events[0]!.data.rows.map((r: { id: string }) => r.id)).toEqual([bo.participant.id]);
      again.close();

      const end = await call(base, 'POST', `/api/workshops/${w.code}/end`, undefined, instructor);
      expect(end.json.ended).toBe(true);
      expect(await until(() => resumed.events.some((e) => e.event === 'end'))).toBe(true);
      resumed.close();
      expect((await call(base, 'POST', `/api/workshops/${w.code}/join`, { name: 'Late' })).status).toBe(410);
      expect((await call(base, 'POST', `/api/workshops/${w.code}/broadcast`, { text: 'x' }, instructor)).status).toBe(410);
    });

    it('a report with completion, median and p90 per step, most failed checks and stuck reports with their comments, as JSON and CSV', async () => {
      const w = await create();
      const t0 = Date.now() - 30 * 60_000;
      const people = await Promise.all(['A', 'B', 'C', 'D'].map((n) => join(w.code, n)));
      // Step 0 takes 1, 2, 3 and 10 minutes; only A passes step 1; B fails step 1 twice.
      for (const [i, p] of people.entries()) {
        const id = p.participant.id;
        const mins = [1, 2, 3, 10][i]!;
        const at = (m: number) => ({ at: iso(t0 + m * 60_000 + i) });
        const list = [event('step_started', id, w.code, STEPS[0], at(0)), event('check_passed', id, w.code, STEPS[0], at(mins)), event('step_started', id, w.code, STEPS[1], at(mins))];
        if (i === 0) list.push(event('check_passed', id, w.code, STEPS[1], at(mins + 4)));
        if (i === 1) list.push(event('check_failed', id, w.code, STEPS[1], at(mins + 1)), event('check_failed', id, w.code, STEPS[1], at(mins + 2)));
        expect((await send(list, p.token)).status).toBe(202);
      }
      await call(base, 'POST', `/api/workshops/${w.code}/hand`, { step: `${LAB}/${STEPS[1]}`, note: 'the check says "=cmd|calc"' }, { Authorization: `Bearer ${people[1]!.token}` });
      const r = await call(base, 'GET', `/api/workshops/${w.code}/report`, undefined, instructor);
      expect(r.status).toBe(200);
      const [s0, s1] = r.json.steps;
      expect(s0).toMatchObject({ step: STEPS[0], reached: 4, passed: 4, completion: 1, medianMinutes: 2.5, p90Minutes: 7.9 });
      expect(s1).toMatchObject({ step: STEPS[1], reached: 4, passed: 1, completion: 0.25, medianMinutes: 4, failedChecks: 2, stuckReports: 1 });
      expect(s1.comments).toEqual([expect.objectContaining({ source: 'hand', text: 'the check says "=cmd|calc"' })]);
      expect(r.json.mostFailedChecks[0]).toEqual({ lab: LAB, step: STEPS[1], count: 2 });
      expect(r.json.mostStuckReports[0]).toEqual({ lab: LAB, step: STEPS[1], count: 1 });
      const csv = await call(base, 'GET', `/api/workshops/${w.code}/report?format=csv`, undefined, instructor);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe('lab,step,reached,passed,completion,median_minutes,p90_minutes,failed_checks,stuck_reports,comments');
      expect(lines[1]).toBe(`${LAB},${STEPS[0]},4,4,1.000,2.5,7.9,0,0,`);
      expect(lines[2]).toBe(`${LAB},${STEPS[1]},4,1,0.250,4,4,2,1,"the check says ""=cmd|calc"""`);
      expect((await call(base, 'GET', `/api/workshops/${w.code}/report?format=xml`, undefined, instructor)).status).toBe(400);
    });

    it('extends a workshop, and refuses joining one whose time is over', async () => {
      const w = await create({ endsAt: iso(Date.now() + 60_000) });
      const ext = await call(base, 'POST', `/api/workshops/${w.code}/extend`, { minutes: 15 }, instructor);
      expect(ext.status).toBe(200);
      expect(Date.parse(ext.json.endsAt)).toBeGreaterThan(Date.now() + 15 * 60_000);
      expect((await call(base, 'POST', `/api/workshops/${w.code}/extend`, { minutes: 0 }, instructor)).status).toBe(400);
      clock.now = Date.now() + 2 * 3_600_000;
      try {
        expect((await call(base, 'POST', `/api/workshops/${w.code}/join`, { name: 'Late' })).status).toBe(410);
      } finally {
        clock.now = null;
      }
    });

    it('deletes names (and invalidates tokens) once the retention period has passed, keeping anonymous progress', async () => {
      const w = await create({ startsAt: iso(Date.now() - 120_000), endsAt: iso(Date.now() + 60_000) });
      const a = await join(w.code, 'Forget Me');
      await send([event('step_started', a.participant.id, w.code, STEPS[0])], a.token);
      expect(await svc.workshops.purge()).not.toContain(w.code);
      clock.now = Date.now() + 31 * 86_400_000;
      try {
        expect(await svc.workshops.purge()).toContain(w.code);
      } finally {
        clock.now = null;
      }
      const [row] = await store.query<{ name: string | null; secret_hash: string | null }>('SELECT name, secret_hash FROM workshop_participants WHERE id = ?', [a.participant.id]);
      expect(row).toEqual({ name: null, secret_hash: null });
      const board = await call(base, 'GET', `/api/workshops/${w.code}/board`, undefined, instructor);
      expect(board.json.rows).toEqual([expect.objectContaining({ name: '(name deleted)', step: `${LAB}/${STEPS[0]}` })]);
      expect((await send([event('hint_viewed', a.participant.id, w.code, STEPS[0])], a.token)).status).toBe(403);
    });

    it('after a restart, the board is complete again and learners resume where they were', async () => {
      const w = await create();
      const a = await join(w.code, 'Ana');
      await send([event('step_started', a.participant.id, w.code, STEPS[0]), event('check_failed', a.participant.id, w.code, STEPS[0])], a.token);
      const m = await call(base, 'POST', `/api/workshops/${w.code}/broadcast`, { text: 'first' }, instructor);
      const before = (await call(base, 'GET', `/api/workshops/${w.code}/board`, undefined, instructor)).json;
      // Open streams do not hold the service up: it ends them and stops.
      const open = sse(base, `/api/workshops/${w.code}/board/stream`, instructor);
      const mine = sse(base, `/api/workshops/${w.code}/me/stream`, { Authorization: `Bearer ${a.token}` });
      await Promise.all([open.ready, mine.ready]);
      await svc.service.close();
      svc = await start(store, clock);
      base = svc.base;
      const after = (await call(base, 'GET', `/api/workshops/${w.code}/board`, undefined, instructor)).json;
      expect(after.rows).toEqual(before.rows);
      await call(base, 'POST', `/api/workshops/${w.code}/broadcast`, { text: 'second' }, instructor);
      const learner = sse(base, `/api/workshops/${w.code}/me/stream?after=${m.json.seq}`, { Authorization: `Bearer ${a.token}` });
      await learner.ready;
      expect(await until(() => learner.events.some((e) => e.event === 'broadcast'))).toBe(true);
      expect(learner.events.filter((e) => e.event === 'broadcast').map((e) => e.data.text)).toEqual(['second']);
      learner.close();
    });
  });
}
