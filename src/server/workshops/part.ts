/**
 * Workshops in the Onramp service:
 *   POST /api/workshops                          (instructor) { title, lab | path, startsAt, endsAt, capacity? } → 201 { code, joinUrl, boardUrl, … }
 *   GET  /api/workshops                          (instructor) the latest workshops
 *   GET  /api/workshops/:code                    what a join page shows (public)
 *   POST /api/workshops/:code/join               { name } → 201 { participant, token } (the token acts as that participant)
 *   GET  /api/workshops/:code/board              (instructor) the board, sorted by who needs help most
 *   GET  /api/workshops/:code/board/stream       (instructor) SSE: `board` updates; Last-Event-ID resumes
 *   GET  /api/workshops/:code/me/stream          (participant) SSE: state, ack, broadcast, extend, end; Last-Event-ID or ?after= resumes
 *   POST /api/workshops/:code/hand               (participant) { step?, note?, checkOutput? } raises a hand
 *   DELETE /api/workshops/:code/hand             (participant) lowers it
 *   POST /api/workshops/:code/hands/:id/ack      (instructor) "help is coming"
 *   POST /api/workshops/:code/broadcast          (instructor) { text }
 *   POST /api/workshops/:code/extend             (instructor) { minutes }
 *   POST /api/workshops/:code/end                (instructor)
 *   GET  /api/workshops/:code/report             (instructor) ?format=json|csv
 *   GET  /workshops/:code/board/                 the board page (the built /workshops/board/ page, for any code)
 * Lab events carrying a workshop go through POST /api/events with `participant` (the token) in
 * the body; eventHooks() checks them before they are stored and feeds the room after.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Route, ServicePart } from '../app.ts';
import { HttpError, sendJson } from '../http.ts';
import { readJson } from '../feedback/guard.ts';
import type { Role } from '../auth/tokens.ts';
import type { TokenRow } from '../store/types.ts';
import type { Store } from '../store/types.ts';
import { staticSite } from '../static.ts';
import { describeIssue, LIMITS, type EventInput, type LabSteps } from '../../shared/feedback.ts';
import { BROADCAST_MAX, cleanName, cleanText, NAME_MAX, normaliseCode, NOTE_MAX, TITLE_MAX, type WorkshopStep } from '../../shared/workshop.ts';
import * as records from './records.ts';
import { workshopInfo, type Room } from './room.ts';
import { ROOM_LIMITS, Rooms, type RoomLimits } from './rooms.ts';
import { lastEventId, openSse } from './sse.ts';
import { reportCsv, workshopReport } from './report.ts';

export interface WorkshopGuards {
  /** CORS and the rate limit: per participant (a verified participant id) when given, else per client. */
  guard(req: IncomingMessage, res: ServerResponse, participant?: string): string;
  authorized(req: IncomingMessage, res: ServerResponse, role: Role): Promise<TokenRow>;
}

export interface WorkshopOptions {
  store: Store;
  labs: LabSteps;
  /** Persona id → the page slugs of its path. */
  paths: ReadonlyMap<string, readonly string[]>;
  siteDir: string;
  /** How long after a workshop ends its participants' names are kept (ms). */
  retentionMs: number;
  /** Rooms kept in memory, and for how long once over (rooms.ts). */
  limits?: Partial<RoomLimits>;
  now?: () => number;
}

/** What POST /api/events asks of the workshops part. */
export interface EventHooks {
  /** Throws an HttpError (403/404/410) unless every workshop event is the token holder's own; returns the participant's id. */
  check(events: EventInput[], participantToken: string | undefined): Promise<string>;
  /** Throws an HttpError (403) unless the token is a participant's of this workshop (feedback carrying a workshop feeds its report); returns their id. */
  checkFeedback(code: string, participantToken: string | undefined): Promise<string>;
  /** Feeds stored events to their rooms (replays change nothing). */
  stored(events: EventInput[], receivedAt: number): Promise<void>;
}

const MAX_DAYS = 7;

export function workshopSteps(labs: LabSteps, paths: WorkshopOptions['paths'], lab: string | undefined, path: string | undefined): WorkshopStep[] {
  if (lab) {
    const steps = labs.get(lab);
    if (!steps) throw new HttpError(400, `lab: unknown lab; expected one of: ${[...labs.keys()].join(', ')}`);
    return [...steps].map((step) => ({ lab, step }));
  }
  const pages = paths.get(path ?? '');
  if (!pages) throw new HttpError(400, `path: unknown persona; expected one of: ${[...paths.keys()].join(', ')}`);
  const inPath = pages.filter((p) => p.startsWith('labs/')).map((p) => p.slice(5)).filter((id) => labs.has(id));
  if (inPath.length === 0) throw new HttpError(400, `path: the ${path} path has no lab; choose a lab instead`);
  return inPath.flatMap((id) => [...labs.get(id)!].map((step) => ({ lab: id, step })));
}

const createSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'is required').max(TITLE_MAX, `must be at most ${TITLE_MAX} characters`),
    lab: z.string().max(64).optional(),
    path: z.string().max(64).optional(),
    startsAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time, e.g. 2026-03-02T09:00:00Z' }),
    endsAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time, e.g. 2026-03-02T10:00:00Z' }),
    capacity: z.number().int().min(1).max(1000).optional(),
  })
  .refine((b) => (b.lab === undefined) !== (b.path === undefined), { message: 'give a lab or a persona path (one of them)', path: ['lab'] })
  .refine((b) => Date.parse(b.endsAt) > Date.parse(b.startsAt), { message: 'must be after startsAt', path: ['endsAt'] })
  .refine((b) => Date.parse(b.endsAt) - Date.parse(b.startsAt) <= MAX_DAYS * 86_400_000, { message: `a workshop lasts at most ${MAX_DAYS} days`, path: ['endsAt'] });

const handSchema = z.strictObject({
  step: z.string().max(130).optional(),
  note: z.string().max(NOTE_MAX * 4).optional(),
  checkOutput: z.string().max(LIMITS.checkOutput * 2).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, describeIssue(r.error));
  return r.data;
}

export function workshopsPart(options: WorkshopOptions, guards: WorkshopGuards): ServicePart & { hooks: EventHooks; rooms: Rooms; purge(): Promise<string[]> } {
  const { store, labs, paths } = options;
  const now = options.now ?? Date.now;
  const rooms = new Rooms(store, now, options.limits);
  const sitePromise = staticSite(options.siteDir);

  async function room(params: Record<string, string>): Promise<Room> {
    const code = normaliseCode(params.code ?? '');
    const r = code ? await rooms.get(code) : null;
    if (!r) throw new HttpError(404, `workshop: no workshop with code ${String(params.code ?? '').slice(0, 12)}`);
    return r;
  }

  /** The participant a `Bearer <id>.<secret>` token names in this room; 401 otherwise. */
  function participant(req: IncomingMessage, r: Room): records.Participant {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return participantOf(m?.[1], r);
  }

  function participantOf(token: string | undefined, r: Room): records.Participant {
    const parts = token ? records.splitToken(token) : null;
    const p = parts ? r.participants.get(parts.id) : undefined;
    if (!parts || !p || !records.secretMatches(p, parts.secret)) throw new HttpError(401, 'participant: send the token you got when you joined this workshop');
    return p;
  }

  /**
   * A participant's own request: rate-limited as that participant once their token is verified
   * (a room behind one address is many participants), as the client otherwise.
   */
  async function asParticipant(req: IncomingMessage, res: ServerResponse, params: Record<string, string>): Promise<{ r: Room; p: records.Participant }> {
    let found: { r: Room; p: records.Participant };
    try {
      const r = await room(params);
      found = { r, p: participant(req, r) };
    } catch (error) {
      guards.guard(req, res);
      throw error;
    }
    guards.guard(req, res, found.p.id);
    return found;
  }

  const instructor = (req: IncomingMessage, res: ServerResponse) => guards.authorized(req, res, 'instructor');
  const open = (r: Room) => {
    if (r.ended) throw new HttpError(410, `workshop: ${r.workshop.code} has ended`);
  };

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/api/workshops',
      async handler(req, res) {
        const who = await instructor(req, res);
        const body = parse(createSchema, await readJson(req, 4096, false));
        const steps = workshopSteps(labs, paths, body.lab, body.path);
        const w = await records.createWorkshop(store, {
          title: cleanText(body.title, TITLE_MAX) || 'Workshop',
          lab: body.lab ?? null,
          path: body.path ?? null,
          steps,
          startsAt: Date.parse(body.startsAt),
          endsAt: Date.parse(body.endsAt),
          capacity: body.capacity ?? null,
          createdBy: who.id,
          createdAt: now(),
        });
        // Not loaded into memory yet: that happens when someone joins or opens the board.
        sendJson(res, 201, { ...workshopInfo(w, 0, now()), joinUrl: `/workshops/join/?code=${w.code}`, boardUrl: `/workshops/${w.code}/board/` });
      },
    },
    {
      method: 'GET',
      path: '/api/workshops',
      async handler(req, res) {
        await instructor(req, res);
        const list = await records.listWorkshops(store);
        sendJson(res, 200, {
          workshops: list.map((w) => ({ code: w.code, title: w.title, lab: w.lab, path: w.path, startsAt: new Date(w.startsAt).toISOString(), endsAt: new Date(w.endsAt).toISOString(), ended: w.endedAt !== null || now() >= w.endsAt, boardUrl: `/workshops/${w.code}/board/` })),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/workshops/:code',
      async handler(req, res, _url, params) {
        guards.guard(req, res);
        sendJson(res, 200, (await room(params)).info());
      },
    },
    {
      method: 'POST',
      path: '/api/workshops/:code/join',
      async handler(req, res, _url, params) {
        guards.guard(req, res);
        const r = await room(params);
        const body = (await readJson(req, 4096, false)) as { name?: unknown };
        const name = cleanName(body.name);
        if (!name) throw new HttpError(400, `name: 1–${NAME_MAX} characters (letters, digits, spaces, punctuation)`);
        open(r);
        if (r.workshop.capacity !== null && r.participants.size >= r.workshop.capacity) throw new HttpError(409, `workshop: full (${r.workshop.capacity} participants)`);
        const made = await records.addParticipant(store, r.workshop.code, name, now());
        r.addParticipant(made.participant);
        sendJson(res, 201, { workshop: r.info(), participant: { id: made.participant.id, name }, token: made.token });
      },
    },
    {
      method: 'GET',
      path: '/api/workshops/:code/board',
      async handler(req, res, _url, params) {
        await instructor(req, res);
        sendJson(res, 200, (await room(params)).board(true));
      },
    },
    {
      method: 'GET',
      path: '/api/workshops/:code/board/stream',
      async handler(req, res, url, params) {
        await instructor(req, res);
        const r = await room(params);
        r.watch(openSse(req, res), lastEventId(req, url));
      },
    },
    {
      method: 'GET',
      path: '/api/workshops/:code/me/stream',
      async handler(req, res, url, params) {
        const { r, p } = await asParticipant(req, res, params);
        const after = Number(lastEventId(req, url) ?? 0);
        await r.listen(p.id, openSse(req, res), Number.isInteger(after) && after >= 0 ? after : 0);
      },
    },
    {
      method: 'POST',
      path: '/api/workshops/:code/hand',
      async handler(req, res, _url, params) {
        const { r, p } = await asParticipant(req, res, params);
        open(r);
        const body = parse(handSchema, await readJson(req, LIMITS.body, false));
        const keys = new Set(r.workshop.steps.map((s) => `${s.lab}/${s.step}`));
        if (body.step !== undefined && !keys.has(body.step)) throw new HttpError(400, `step: not a step of this workshop; expected one of: ${[...keys].join(', ')}`);
        const hand = await records.raiseHand(store, r.workshop.code, p.id, {
          step: body.step ?? r.rowsNow().find((x) => x.id === p.id)?.step ?? null,
          note: cleanText(body.note ?? '', NOTE_MAX) || null,
          checkOutput: cleanText(body.checkOutput ?? '', LIMITS.checkOutput) || null,
          raisedAt: now(),
        });
        r.setHand(p.id, hand);
        sendJson(res, 201, { hand });
      },
    },
    {
      method: 'DELETE',
      path: '/api/workshops/:code/hand',
      async handler(req, res, _url, params) {
        const { r, p } = await asParticipant(req, res, params);
        await records.lowerHand(store, p.id, now());
        r.setHand(p.id, null);
        sendJson(res, 200, { hand: null });
      },
    },
    {
      method: 'POST',
      path: '/api/workshops/:code/hands/:id/ack',
      async handler(req, res, _url, params) {
        await instructor(req, res);
        const r = await room(params);
        if (r.retired) throw new HttpError(410, `workshop: ${r.workshop.code} has ended`);
        const at = now();
        const pid = await records.ackHand(store, r.workshop.code, params.id ?? '', at);
        if (!pid) throw new HttpError(404, 'hand: no raised hand with that id in this workshop');
        r.ackHand(params.id!, at);
        await r.message(pid, 'ack', { hand: params.id, text: 'Help is coming.' });
        sendJson(res, 200, { ok: true });
      },
    },
    {
      method: 'POST',
      path: '/api/workshops/:code/broadcast',
      async handler(req, res, _url, params) {
        await instructor(req, res);
        const r = await room(params);
        open(r);
        const body = (await readJson(req, 4096, false)) as { text?: unknown };
        const text = cleanText(body.text, BROADCAST_MAX);
        if (!text) throw new HttpError(400, `text: 1–${BROADCAST_MAX} characters`);
        const m = await r.message(null, 'broadcast', { text });
        sendJson(res, 202, { seq: m.seq });
      },
    },
    {
      method: 'POST',
      path: '/api/workshops/:code/extend',
      async handler(req, res, _url, params) {
        await instructor(req, res);
        const r = await room(params);
        if (r.workshop.endedAt !== null) throw new HttpError(410, `workshop: ${r.workshop.code} has ended`);
        const body = (await readJson(req, 1024, false)) as { minutes?: unknown };
        const minutes = body.minutes;
        if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) throw new HttpError(400, 'minutes: a whole number from 1 to 1440');
        const endsAt = Math.max(r.workshop.endsAt, now()) + minutes * 60_000;
        await records.setTimes(store, r.workshop.code, { endsAt });
        r.updateWorkshop({ endsAt });
        // A room long over was read from the store for this request: running again, it is kept.
        const live = r.retired ? ((await rooms.get(r.workshop.code)) ?? r) : r;
        await live.message(null, 'extend', { endsAt: new Date(endsAt).toISOString() });
        sendJson(res, 200, live.info());
      },
    },
    {
      method: 'POST',
      path: '/api/workshops/:code/end',
      async handler(req, res, _url, params) {
        await instructor(req, res);
        const r = await room(params);
        if (r.workshop.endedAt === null) {
          const at = now();
          await records.setTimes(store, r.workshop.code, { endedAt: at });
          r.updateWorkshop({ endedAt: at });
          await r.message(null, 'end', { reportUrl: `/workshops/${r.workshop.code}/board/` });
        }
        sendJson(res, 200, r.info());
      },
    },
    {
      method: 'GET',
      path: '/api/workshops/:code/report',
      async handler(req, res, url, params) {
        await instructor(req, res);
        const r = await room(params);
        const format = url.searchParams.get('format') ?? 'json';
        if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format: expected json or csv');
        const report = await workshopReport(store, r, now());
        const name = `onramp-workshop-${r.workshop.code}.${format}`;
        if (format === 'json') {
          sendJson(res, 200, report, { 'Content-Disposition': `attachment; filename="${name}"` });
          return;
        }
        const csv = reportCsv(report);
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
        res.end(csv);
      },
    },
    {
      method: 'GET',
      path: '/workshops/:code/board/',
      async handler(req, res, _url, params) {
        const site = await sitePromise;
        if (!normaliseCode(params.code ?? '') || !(await site.serve(req, res, '/workshops/board/'))) await site.notFound(req, res);
      },
    },
  ];

  /** The participant whose token this is, in the workshop with this code; 403 otherwise. */
  async function member(code: string, token: string | undefined): Promise<records.Participant> {
    if (!token) throw new HttpError(403, 'participant: what carries a workshop needs the token you got when you joined it');
    const r = normaliseCode(code) === code ? await rooms.get(code) : null;
    if (!r) throw new HttpError(403, `workshop: no workshop with code ${code.slice(0, 32)}`);
    try {
      return participantOf(token, r);
    } catch {
      throw new HttpError(403, 'participant: the token is not a participant of this workshop');
    }
  }

  const hooks: EventHooks = {
    async check(events, token) {
      const tagged = events.filter((e) => e.workshop !== undefined);
      // A participant is in one workshop: events naming two cannot all be theirs.
      const codes = new Set(tagged.map((e) => e.workshop!));
      if (codes.size !== 1) throw new HttpError(403, 'participant: a request carries the events of one workshop');
      const p = await member([...codes][0]!, token);
      if (tagged.some((e) => e.session !== p.id)) throw new HttpError(403, "participant: an event names another participant's session");
      return p.id;
    },
    async checkFeedback(code, token) {
      return (await member(code, token)).id;
    },
    async stored(events, receivedAt) {
      const byRoom = new Map<string, EventInput[]>();
      for (const e of events) if (e.workshop) (byRoom.get(e.workshop) ?? byRoom.set(e.workshop, []).get(e.workshop)!).push(e);
      for (const [code, list] of byRoom) {
        // Only a room in memory has a board to update; any other reads these events from the store.
        const r = await rooms.peek(code);
        if (!r) continue;
        const bySession = new Map<string, EventInput[]>();
        for (const e of list) (bySession.get(e.session) ?? bySession.set(e.session, []).get(e.session)!).push(e);
        for (const [session, es] of bySession) {
          r.apply(session, es.map((e) => ({ id: e.id, type: e.type, at: Date.parse(e.at), received: receivedAt, lab: e.lab ?? null, step: e.step ?? null, data: e.data ?? null })));
        }
      }
    },
  };

  const purge = async () => {
    const cleared = await records.deleteOldNames(store, now(), options.retentionMs);
    for (const code of cleared) rooms.forget(code);
    return cleared;
  };
  const sweep = setInterval(() => void purge().catch((e) => console.error('[onramp] workshop retention failed:', (e as Error).message)), 3_600_000);
  sweep.unref();
  void purge().catch(() => {});
  // Rooms over for their grace period leave memory (their streams get `ended`).
  const grace = options.limits?.endedGraceMs ?? ROOM_LIMITS.endedGraceMs;
  const evict = setInterval(() => rooms.sweep(), Math.min(60_000, Math.max(1000, grace / 2)));
  evict.unref();

  return {
    routes,
    hooks,
    rooms,
    purge,
    drain: () => rooms.closeAll(),
    close() {
      clearInterval(sweep);
      clearInterval(evict);
    },
  };
}
