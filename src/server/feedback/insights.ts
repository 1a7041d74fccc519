/**
 * The numbers the platform team acts on, computed from the store with portable SQL (the same text
 * runs on SQLite and PostgreSQL) plus a little JavaScript for funnels and percentiles.
 *
 * Votes: a reader may change or withdraw an answer. Each change is a new item with `replaces`
 * naming the previous one; a withdrawal is such an item with `withdrawn: true`. Only the current
 * answer counts: an item counts when nothing on the same page replaces it and it is not a withdrawal.
 */
import { HttpError } from '../http.ts';
import type { Store } from '../store/types.ts';
import { STUCK_REASONS, TRIAGE_STATUSES, type TriageStatus } from '../../shared/feedback-ids.ts';

export interface Filter {
  persona?: string;
  lab?: string;
  workshop?: string;
  /** Milliseconds, inclusive. */
  from?: number;
  /** Milliseconds, exclusive. */
  to?: number;
}

const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const WORKSHOP = /^[A-Za-z0-9_-]{1,32}$/;

function parseTime(name: string, raw: string, endOfDay: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const t = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
  if (!Number.isFinite(t)) throw new HttpError(400, `${name}: expected a date (YYYY-MM-DD) or an ISO-8601 time`);
  return dateOnly && endOfDay ? t + 86_400_000 : t;
}

export function parseFilter(url: URL, personas: readonly string[]): Filter {
  const q = url.searchParams;
  const filter: Filter = {};
  const persona = q.get('persona');
  if (persona) {
    if (!personas.includes(persona)) throw new HttpError(400, `persona: unknown persona; expected one of: ${personas.join(', ')}`);
    filter.persona = persona;
  }
  const lab = q.get('lab');
  if (lab) {
    if (!SLUG.test(lab)) throw new HttpError(400, 'lab: must be a lab id');
    filter.lab = lab;
  }
  const workshop = q.get('workshop');
  if (workshop) {
    if (!WORKSHOP.test(workshop)) throw new HttpError(400, 'workshop: must be a workshop code');
    filter.workshop = workshop;
  }
  const from = q.get('from');
  if (from) filter.from = parseTime('from', from, false);
  const to = q.get('to');
  if (to) filter.to = parseTime('to', to, true);
  return filter;
}

/** WHERE fragments for feedback (alias f) and events (alias e). */
function feedbackWhere(f: Filter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.persona) parts.push('f.persona = ?'), params.push(f.persona);
  if (f.lab) parts.push('f.lab = ?'), params.push(f.lab);
  if (f.workshop) parts.push('f.workshop = ?'), params.push(f.workshop);
  if (f.from !== undefined) parts.push('f.received_at >= ?'), params.push(f.from);
  if (f.to !== undefined) parts.push('f.received_at < ?'), params.push(f.to);
  return { sql: parts.length ? ' AND ' + parts.join(' AND ') : '', params };
}

function eventWhere(f: Filter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.persona) parts.push('e.persona = ?'), params.push(f.persona);
  if (f.lab) parts.push('e.lab = ?'), params.push(f.lab);
  if (f.workshop) parts.push('e.workshop = ?'), params.push(f.workshop);
  if (f.from !== undefined) parts.push('e.at_ms >= ?'), params.push(f.from);
  if (f.to !== undefined) parts.push('e.at_ms < ?'), params.push(f.to);
  return { sql: parts.length ? ' AND ' + parts.join(' AND ') : '', params };
}

/** Current answers only (see the file comment). */
const CURRENT = `COALESCE(f.withdrawn, 0) = 0 AND NOT EXISTS (SELECT 1 FROM feedback n WHERE n.replaces = f.id AND n.page = f.page)`;
const IS_PAGE = `COALESCE(f.kind, 'page') = 'page'`;
const IS_STUCK = `f.kind = 'stuck'`;
/**
 * Something for the team to read and triage: a comment, a quote, or a stuck report's check
 * output (context is JSON written by JSON.stringify, so the key appears exactly like this only as a key).
 */
const HAS_TEXT = `(f.comment IS NOT NULL OR f.quote IS NOT NULL OR (${IS_STUCK} AND f.context LIKE '%"checkOutput":%'))`;
const WEEK_OFFSET = 345_600_000; // 1970-01-05 was a Monday.
const WEEK = 604_800_000;

const n = (v: unknown) => Number(v ?? 0);

export async function summary(store: Store, f: Filter) {
  const w = feedbackWhere(f);
  const [fb] = await store.query(
    `SELECT
       SUM(CASE WHEN ${IS_PAGE} AND f.helpful = 1 THEN 1 ELSE 0 END) AS yes,
       SUM(CASE WHEN ${IS_PAGE} AND f.helpful = 0 THEN 1 ELSE 0 END) AS no,
       SUM(CASE WHEN ${IS_STUCK} THEN 1 ELSE 0 END) AS stuck,
       SUM(CASE WHEN ${HAS_TEXT} THEN 1 ELSE 0 END) AS comments,
       SUM(CASE WHEN ${HAS_TEXT} AND COALESCE(t.status, 'new') = 'new' THEN 1 ELSE 0 END) AS untriaged
     FROM feedback f LEFT JOIN triage t ON t.id = f.id
     WHERE ${CURRENT}${w.sql}`,
    w.params,
  );
  const e = eventWhere(f);
  const [ev] = await store.query(
    `SELECT COUNT(DISTINCT e.session) AS sessions,
       COUNT(DISTINCT CASE WHEN e.type = 'lab_started' THEN e.session END) AS labs_started,
       COUNT(DISTINCT CASE WHEN e.type = 'lab_completed' THEN e.session END) AS labs_completed,
       COUNT(DISTINCT CASE WHEN e.type = 'endpoint_live' THEN e.session END) AS endpoints_live,
       COUNT(*) AS events
     FROM events e WHERE 1 = 1${e.sql}`,
    e.params,
  );
  const yes = n(fb?.yes);
  const no = n(fb?.no);
  return {
    votes: yes + no,
    yes,
    no,
    helpfulRate: yes + no ? yes / (yes + no) : null,
    stuck: n(fb?.stuck),
    comments: n(fb?.comments),
    untriaged: n(fb?.untriaged),
    sessions: n(ev?.sessions),
    labsStarted: n(ev?.labs_started),
    labsCompleted: n(ev?.labs_completed),
    endpointsLive: n(ev?.endpoints_live),
    events: n(ev?.events),
  };
}

/** Helpfulness by page, worst first (lowest share of yes, then most no). */
export async function pages(store: Store, f: Filter, limit = 100) {
  const w = feedbackWhere(f);
  const rows = await store.query<{ page: string; yes: number; no: number }>(
    `SELECT f.page AS page,
       SUM(CASE WHEN f.helpful = 1 THEN 1 ELSE 0 END) AS yes,
       SUM(CASE WHEN f.helpful = 0 THEN 1 ELSE 0 END) AS no
     FROM feedback f WHERE ${CURRENT} AND ${IS_PAGE}${w.sql}
     GROUP BY f.page`,
    w.params,
  );
  return rows
    .map((r) => ({ page: r.page, yes: n(r.yes), no: n(r.no), total: n(r.yes) + n(r.no), helpfulRate: n(r.yes) / Math.max(1, n(r.yes) + n(r.no)) }))
    .sort((a, b) => a.helpfulRate - b.helpfulRate || b.no - a.no || b.total - a.total || a.page.localeCompare(b.page))
    .slice(0, limit);
}

/** Where people struggle: pages and lab steps by unhelpful answers, stuck reports and failed checks. */
export async function friction(store: Store, f: Filter, limit = 30) {
  const w = feedbackWhere(f);
  const pageRows = await store.query<{ page: string; no: number; stuck: number }>(
    `SELECT f.page AS page,
       SUM(CASE WHEN ${IS_PAGE} AND f.helpful = 0 THEN 1 ELSE 0 END) AS no,
       SUM(CASE WHEN ${IS_STUCK} THEN 1 ELSE 0 END) AS stuck
     FROM feedback f WHERE ${CURRENT} AND f.helpful = 0${w.sql}
     GROUP BY f.page`,
    w.params,
  );
  const stepRows = await store.query<{ lab: string; step: string | null; no: number; stuck: number }>(
    `SELECT f.lab AS lab, f.step AS step,
       SUM(CASE WHEN ${IS_PAGE} AND f.helpful = 0 THEN 1 ELSE 0 END) AS no,
       SUM(CASE WHEN ${IS_STUCK} THEN 1 ELSE 0 END) AS stuck
     FROM feedback f WHERE ${CURRENT} AND f.helpful = 0 AND f.lab IS NOT NULL${w.sql}
     GROUP BY f.lab, f.step`,
    w.params,
  );
  const e = eventWhere(f);
  const eventRows = await store.query<{ lab: string; step: string | null; type: string; count: number; sessions: number }>(
    `SELECT e.lab AS lab, e.step AS step, e.type AS type, COUNT(*) AS count, COUNT(DISTINCT e.session) AS sessions
     FROM events e WHERE e.type IN ('check_failed', 'hint_viewed', 'solution_revealed') AND e.lab IS NOT NULL${e.sql}
     GROUP BY e.lab, e.step, e.type`,
    e.params,
  );
  const steps = new Map<string, { lab: string; step: string | null; no: number; stuck: number; checksFailed: number; failedSessions: number; hints: number; solutions: number; score: number }>();
  const at = (lab: string, step: string | null) => {
    const key = `${lab}\u0000${step ?? ''}`;
    let s = steps.get(key);
    if (!s) steps.set(key, (s = { lab, step, no: 0, stuck: 0, checksFailed: 0, failedSessions: 0, hints: 0, solutions: 0, score: 0 }));
    return s;
  };
  for (const r of stepRows) Object.assign(at(r.lab, r.step), { no: n(r.no), stuck: n(r.stuck) });
  for (const r of eventRows) {
    const s = at(r.lab, r.step);
    if (r.type === 'check_failed') (s.checksFailed = n(r.count)), (s.failedSessions = n(r.sessions));
    if (r.type === 'hint_viewed') s.hints = n(r.count);
    if (r.type === 'solution_revealed') s.solutions = n(r.count);
  }
  // A stuck report or an unhelpful answer is a person telling us; failed checks and revealed
  // solutions are signals. Weighted so people outrank signals.
  for (const s of steps.values()) s.score = 3 * (s.stuck + s.no) + s.failedSessions + s.solutions;
  return {
    pages: pageRows
      .map((r) => ({ page: r.page, no: n(r.no), stuck: n(r.stuck), score: n(r.no) + n(r.stuck) }))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || a.page.localeCompare(b.page))
      .slice(0, limit),
    steps: [...steps.values()].filter((s) => s.score > 0).sort((a, b) => b.score - a.score || a.lab.localeCompare(b.lab)).slice(0, limit),
  };
}

export async function reasons(store: Store, f: Filter) {
  const w = feedbackWhere(f);
  const rows = await store.query<{ kind: string; helpful: number; reason: string | null; count: number }>(
    `SELECT COALESCE(f.kind, 'page') AS kind, f.helpful AS helpful, f.reason AS reason, COUNT(*) AS count
     FROM feedback f WHERE ${CURRENT}${w.sql}
     GROUP BY COALESCE(f.kind, 'page'), f.helpful, f.reason`,
    w.params,
  );
  const group = (pred: (r: (typeof rows)[number]) => boolean) =>
    rows.filter(pred).map((r) => ({ reason: r.reason ?? 'none_given', count: n(r.count) })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return {
    yes: group((r) => r.kind === 'page' && n(r.helpful) === 1),
    no: group((r) => r.kind === 'page' && n(r.helpful) === 0),
    stuck: group((r) => r.kind === 'stuck'),
    stuckReasons: STUCK_REASONS,
  };
}

/** Items with something to read (a comment, a quote or a stuck report's check output), newest first, with their triage. */
export async function comments(store: Store, f: Filter, options: { status?: TriageStatus; limit?: number; offset?: number } = {}) {
  const w = feedbackWhere(f);
  const params = [...w.params];
  let statusSql = '';
  if (options.status) {
    statusSql = ` AND COALESCE(t.status, 'new') = ?`;
    params.push(options.status);
  }
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const offset = Math.max(options.offset ?? 0, 0);
  const rows = await store.query<Record<string, unknown>>(
    `SELECT f.id AS id, f.received_at AS received_at, f.page AS page, f.helpful AS helpful, COALESCE(f.kind, 'page') AS kind,
       f.reason AS reason, f.comment AS comment, f.quote AS quote, f.persona AS persona, f.lab AS lab, f.step AS step,
       f.workshop AS workshop, f.context AS context, COALESCE(t.status, 'new') AS status, t.note AS note, t.updated_at AS updated_at
     FROM feedback f LEFT JOIN triage t ON t.id = f.id
     WHERE ${CURRENT} AND ${HAS_TEXT}${w.sql}${statusSql}
     ORDER BY f.received_at DESC, f.id DESC LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const [total] = await store.query<{ count: number }>(
    `SELECT COUNT(*) AS count FROM feedback f LEFT JOIN triage t ON t.id = f.id
     WHERE ${CURRENT} AND ${HAS_TEXT}${w.sql}${statusSql}`,
    params,
  );
  return {
    total: n(total?.count),
    limit,
    offset,
    statuses: TRIAGE_STATUSES,
    items: rows.map((r) => ({
      id: r.id as string,
      receivedAt: new Date(n(r.received_at)).toISOString(),
      page: r.page as string,
      helpful: n(r.helpful) === 1,
      kind: r.kind as string,
      reason: (r.reason as string | null) ?? null,
      comment: (r.comment as string | null) ?? null,
      quote: (r.quote as string | null) ?? null,
      persona: (r.persona as string | null) ?? null,
      lab: (r.lab as string | null) ?? null,
      step: (r.step as string | null) ?? null,
      workshop: (r.workshop as string | null) ?? null,
      context: r.context ? JSON.parse(r.context as string) : null,
      status: r.status as TriageStatus,
      note: (r.note as string | null) ?? null,
      triagedAt: r.updated_at === null || r.updated_at === undefined ? null : new Date(n(r.updated_at)).toISOString(),
    })),
  };
}

/** Per lab: sessions that started it → reached each step (in the order people reach them) → completed. */
export async function funnels(store: Store, f: Filter) {
  const e = eventWhere(f);
  const rows = await store.query<{ lab: string; step: string | null; type: string; session: string; t: number }>(
    `SELECT e.lab AS lab, e.step AS step, e.type AS type, e.session AS session, MIN(e.at_ms) AS t
     FROM events e WHERE e.type IN ('lab_started', 'step_started', 'lab_completed') AND e.lab IS NOT NULL${e.sql}
     GROUP BY e.lab, e.step, e.type, e.session`,
    e.params,
  );
  const labs = new Map<string, { started: Set<string>; completed: Set<string>; steps: Map<string, Map<string, number>> }>();
  for (const r of rows) {
    let lab = labs.get(r.lab);
    if (!lab) labs.set(r.lab, (lab = { started: new Set(), completed: new Set(), steps: new Map() }));
    if (r.type === 'lab_started') lab.started.add(r.session);
    else if (r.type === 'lab_completed') lab.completed.add(r.session);
    else if (r.step) {
      let s = lab.steps.get(r.step);
      if (!s) lab.steps.set(r.step, (s = new Map()));
      s.set(r.session, n(r.t));
    }
  }
  return [...labs.entries()]
    .map(([lab, d]) => {
      // Step order: by the average position at which sessions reached each step.
      const rank = new Map<string, number[]>();
      const bySession = new Map<string, [string, number][]>();
      for (const [step, sessions] of d.steps) for (const [s, t] of sessions) (bySession.get(s) ?? bySession.set(s, []).get(s)!).push([step, t]);
      for (const list of bySession.values()) {
        list.sort((a, b) => a[1] - b[1]);
        list.forEach(([step], i) => (rank.get(step) ?? rank.set(step, []).get(step)!).push(i));
      }
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const steps = [...d.steps.entries()]
        .map(([step, sessions]) => ({ step, reached: sessions.size, order: avg(rank.get(step) ?? [0]) }))
        .sort((a, b) => a.order - b.order || b.reached - a.reached || a.step.localeCompare(b.step))
        .map(({ step, reached }) => ({ step, reached }));
      return { lab, started: d.started.size, steps, completed: d.completed.size };
    })
    .sort((a, b) => b.started - a.started || a.lab.localeCompare(b.lab));
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

export const TTFE_BUCKETS = [
  { label: 'under 5 min', max: 5 },
  { label: '5–10 min', max: 10 },
  { label: '10–20 min', max: 20 },
  { label: '20–40 min', max: 40 },
  { label: '40–60 min', max: 60 },
  { label: 'over 60 min', max: Infinity },
];

/**
 * Time to first endpoint: per session, from its first `lab_started` to its first `endpoint_live`
 * (the first successful prediction), by persona (the persona the events carried).
 */
export async function timeToFirstEndpoint(store: Store, f: Filter) {
  const e = eventWhere(f);
  const rows = await store.query<{ session: string; persona: string | null; started: number | null; live: number | null }>(
    `SELECT e.session AS session, MAX(e.persona) AS persona,
       MIN(CASE WHEN e.type = 'lab_started' THEN e.at_ms END) AS started,
       MIN(CASE WHEN e.type = 'endpoint_live' THEN e.at_ms END) AS live
     FROM events e WHERE e.type IN ('lab_started', 'endpoint_live')${e.sql}
     GROUP BY e.session`,
    e.params,
  );
  const groups = new Map<string, { started: number; minutes: number[] }>();
  const add = (key: string, minutes: number | null) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { started: 0, minutes: [] }));
    g.started++;
    if (minutes !== null) g.minutes.push(minutes);
  };
  for (const r of rows) {
    if (r.started === null || r.started === undefined) continue;
    const live = r.live === null || r.live === undefined ? null : n(r.live);
    const minutes = live !== null && live >= n(r.started) ? (live - n(r.started)) / 60_000 : null;
    add('all', minutes);
    add(r.persona ?? 'unknown', minutes);
  }
  return [...groups.entries()]
    .map(([persona, g]) => {
      const sorted = g.minutes.sort((a, b) => a - b);
      return {
        persona,
        sessions: g.started,
        reached: sorted.length,
        medianMinutes: percentile(sorted, 0.5),
        p90Minutes: percentile(sorted, 0.9),
        buckets: TTFE_BUCKETS.map((b, i) => ({
          label: b.label,
          count: sorted.filter((m) => m >= (i === 0 ? 0 : TTFE_BUCKETS[i - 1]!.max) && m < b.max).length,
        })),
      };
    })
    .sort((a, b) => (a.persona === 'all' ? -1 : b.persona === 'all' ? 1 : a.persona.localeCompare(b.persona)));
}

const weekStart = (w: number) => new Date(w * WEEK + WEEK_OFFSET).toISOString().slice(0, 10);

/** By week (starting Monday, UTC): answers, stuck reports, labs started and completed. */
export async function trends(store: Store, f: Filter) {
  const w = feedbackWhere(f);
  const fb = await store.query<{ week: number; yes: number; no: number; stuck: number }>(
    `SELECT CAST((f.received_at - ${WEEK_OFFSET}) / ${WEEK} AS INTEGER) AS week,
       SUM(CASE WHEN ${IS_PAGE} AND f.helpful = 1 THEN 1 ELSE 0 END) AS yes,
       SUM(CASE WHEN ${IS_PAGE} AND f.helpful = 0 THEN 1 ELSE 0 END) AS no,
       SUM(CASE WHEN ${IS_STUCK} THEN 1 ELSE 0 END) AS stuck
     FROM feedback f WHERE ${CURRENT}${w.sql}
     GROUP BY CAST((f.received_at - ${WEEK_OFFSET}) / ${WEEK} AS INTEGER)`,
    w.params,
  );
  const e = eventWhere(f);
  const ev = await store.query<{ week: number; sessions: number; started: number; completed: number; live: number }>(
    `SELECT CAST((e.at_ms - ${WEEK_OFFSET}) / ${WEEK} AS INTEGER) AS week,
       COUNT(DISTINCT e.session) AS sessions,
       COUNT(DISTINCT CASE WHEN e.type = 'lab_started' THEN e.session END) AS started,
       COUNT(DISTINCT CASE WHEN e.type = 'lab_completed' THEN e.session END) AS completed,
       COUNT(DISTINCT CASE WHEN e.type = 'endpoint_live' THEN e.session END) AS live
     FROM events e WHERE 1 = 1${e.sql}
     GROUP BY CAST((e.at_ms - ${WEEK_OFFSET}) / ${WEEK} AS INTEGER)`,
    e.params,
  );
  const weeks = new Map<number, { week: string; yes: number; no: number; stuck: number; sessions: number; labsStarted: number; labsCompleted: number; endpointsLive: number }>();
  const at = (k: number) => {
    let x = weeks.get(k);
    if (!x) weeks.set(k, (x = { week: weekStart(k), yes: 0, no: 0, stuck: 0, sessions: 0, labsStarted: 0, labsCompleted: 0, endpointsLive: 0 }));
    return x;
  };
  for (const r of fb) Object.assign(at(n(r.week)), { yes: n(r.yes), no: n(r.no), stuck: n(r.stuck) });
  for (const r of ev) Object.assign(at(n(r.week)), { sessions: n(r.sessions), labsStarted: n(r.started), labsCompleted: n(r.completed), endpointsLive: n(r.live) });
  return [...weeks.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** What the filters can choose from. */
export async function options(store: Store, personas: readonly string[]) {
  const labs = await store.query<{ lab: string }>(
    `SELECT lab FROM events WHERE lab IS NOT NULL GROUP BY lab UNION SELECT lab FROM feedback WHERE lab IS NOT NULL GROUP BY lab`,
  );
  const workshops = await store.query<{ workshop: string }>(
    `SELECT workshop FROM events WHERE workshop IS NOT NULL GROUP BY workshop UNION SELECT workshop FROM feedback WHERE workshop IS NOT NULL GROUP BY workshop`,
  );
  return {
    personas: [...personas],
    labs: labs.map((r) => r.lab).sort(),
    workshops: workshops.map((r) => r.workshop).sort(),
  };
}

export const SECTIONS = {
  summary,
  pages: (s: Store, f: Filter) => pages(s, f),
  friction: (s: Store, f: Filter) => friction(s, f),
  reasons,
  funnels,
  ttfe: timeToFirstEndpoint,
  trends,
} as const;
export type SectionName = keyof typeof SECTIONS | 'comments';
