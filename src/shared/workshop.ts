/**
 * Workshop rules shared by the service and the browser, with no dependencies: join codes,
 * display names, folding a participant's lab events into a board row, ordering the board by who
 * needs help most, and the room's per-step funnel and times.
 */

/** Join codes: 6 characters without look-alikes (no 0/O, 1/I/L), easy to read off a slide. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
export const CODE_PATTERN = /^[A-HJKMNP-Z2-9]{6}$/;

export const NAME_MAX = 40;
export const NOTE_MAX = 500;
export const BROADCAST_MAX = 280;
export const TITLE_MAX = 120;

/** A step of a workshop: lab and step id (a persona path may hold several labs). */
export interface WorkshopStep {
  lab: string;
  step: string;
}
export const stepKey = (s: WorkshopStep) => `${s.lab}/${s.step}`;

/** Normalises a code as typed ("k7m-3qx " → "K7M3QX"); null when it cannot be one. */
export function normaliseCode(raw: string): string | null {
  const code = raw.toUpperCase().replace(/[\s-]/g, '');
  return CODE_PATTERN.test(code) ? code : null;
}

/**
 * A display name as shown on the board: NFKC, no control, format (bidi overrides, zero-width) or
 * angle-bracket characters, whitespace collapsed, at most NAME_MAX characters. Returns null when
 * nothing is left or it was longer than NAME_MAX to begin with (refused, not cut silently).
 */
export function cleanName(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > NAME_MAX * 4) return null;
  const name = raw
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}<>]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const count = [...name].length;
  return count === 0 || count > NAME_MAX ? null : name;
}

/** Free text a person types (a note, a broadcast): control characters but newlines removed, cut to `max`. */
export function cleanText(raw: unknown, max: number): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (!text.isWellFormed()) return null;
  return [...text].slice(0, max).join('');
}

/** One stored lab event as the board needs it. `at` is the learner's clock, `received` the service's. */
export interface BoardEvent {
  id: string;
  type: string;
  at: number;
  received: number;
  lab: string | null;
  step: string | null;
  data: Record<string, unknown> | null;
}

export interface Hand {
  id: string;
  step: string | null;
  note: string | null;
  checkOutput: string | null;
  raisedAt: number;
  ackedAt: number | null;
}

/** One participant on the board. Times are the service's clock (ms). */
export interface BoardRow {
  id: string;
  name: string;
  /** `lab/step` key of the step they are on, or null before their first step. */
  step: string | null;
  stepIndex: number;
  stepStartedAt: number | null;
  failedChecks: number;
  hints: number;
  solutions: number;
  passed: number;
  completed: boolean;
  runtime: string | null;
  lastSeen: number | null;
  joinedAt: number;
  hand: Hand | null;
  /** Milliseconds per passed step (`lab/step` → ms). */
  durations: Record<string, number>;
  /** Check fails per step over the whole workshop. */
  failsByStep: Record<string, number>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * Folds one participant's events (any order, duplicates already removed) into a board row.
 * Durations use the learner's own clock (start and pass come from the same browser); the time the
 * current step started is moved onto the service's clock by the smallest delay seen between a
 * learner's `at` and when the service received it.
 */
export function foldParticipant(base: { id: string; name: string; joinedAt: number }, events: Iterable<BoardEvent>, steps: WorkshopStep[], hand: Hand | null): BoardRow {
  const order = new Map(steps.map((s, i) => [stepKey(s), i]));
  // Events of one moment (the lab sends lab_started and step_started together) in the order the
  // lab emits them: a lab or step starts before anything happens on it.
  // Two steps started in one millisecond: the earlier step of the workshop first.
  const rank = (type: string) => (type === 'lab_started' ? 0 : type === 'step_started' ? 1 : 2);
  const position = (e: BoardEvent) => (e.type === 'step_started' && e.lab && e.step ? (order.get(`${e.lab}/${e.step}`) ?? -1) : -1);
  const list = [...events].sort((a, b) => a.at - b.at || rank(a.type) - rank(b.type) || position(a) - position(b) || a.received - b.received || a.id.localeCompare(b.id));
  const row: BoardRow = {
    ...base,
    step: null,
    stepIndex: -1,
    stepStartedAt: null,
    failedChecks: 0,
    hints: 0,
    solutions: 0,
    passed: 0,
    completed: false,
    runtime: null,
    lastSeen: null,
    hand,
    durations: {},
    failsByStep: {},
  };
  let skew = Infinity;
  let startedAtLearner: number | null = null;
  const firstStart = new Map<string, number>();
  const passed = new Set<string>();
  for (const e of list) {
    skew = Math.min(skew, e.received - e.at);
    row.lastSeen = Math.max(row.lastSeen ?? 0, e.received);
    if (e.type === 'lab_started') row.runtime = str(e.data?.runtime) ?? row.runtime;
    if (e.type === 'lab_completed' && e.lab === steps[steps.length - 1]?.lab) row.completed = true;
    if (!e.lab || !e.step) continue;
    const key = `${e.lab}/${e.step}`;
    if (!order.has(key)) continue;
    if (e.type === 'step_started') {
      if (!firstStart.has(key)) firstStart.set(key, e.at);
      if (key !== row.step) {
        row.step = key;
        row.stepIndex = order.get(key)!;
        startedAtLearner = e.at;
        row.failedChecks = row.hints = row.solutions = 0;
      }
    } else if (key === row.step) {
      if (e.type === 'check_failed') row.failedChecks++;
      if (e.type === 'hint_viewed') row.hints++;
      if (e.type === 'solution_revealed') row.solutions++;
    }
    if (e.type === 'check_failed') row.failsByStep[key] = (row.failsByStep[key] ?? 0) + 1;
    if (e.type === 'check_passed' && !passed.has(key)) {
      passed.add(key);
      const from = firstStart.get(key);
      if (from !== undefined && e.at >= from) row.durations[key] = e.at - from;
    }
  }
  row.passed = passed.size;
  if (steps.length && passed.size === steps.length) row.completed = true;
  if (startedAtLearner !== null && Number.isFinite(skew)) row.stepStartedAt = startedAtLearner + skew;
  return row;
}

/** Linear-interpolated percentile of sorted numbers; null for none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

export interface StepStats {
  key: string;
  lab: string;
  step: string;
  /** Participants who started it, passed it, and are on it now. */
  reached: number;
  passed: number;
  current: number;
  medianMs: number | null;
  p90Ms: number | null;
  failedChecks: number;
  hands: number;
}

/** The room per step: funnel, median and p90 time to pass, failed checks and raised hands. */
export function roomStats(rows: BoardRow[], steps: WorkshopStep[], now: number): StepStats[] {
  return steps.map((s, i) => {
    const key = stepKey(s);
    const times = rows.map((r) => r.durations[key]).filter((d): d is number => d !== undefined).sort((a, b) => a - b);
    const onIt = rows.filter((r) => r.step === key && !r.completed && !(key in r.durations));
    const reached = rows.filter((r) => r.stepIndex >= i || key in r.durations).length;
    // Nobody has passed it yet: the room's typical time on it so far stands in.
    const current = onIt.map((r) => (r.stepStartedAt === null ? 0 : Math.max(0, now - r.stepStartedAt))).sort((a, b) => a - b);
    return {
      key,
      lab: s.lab,
      step: s.step,
      reached,
      passed: times.length,
      current: onIt.length,
      medianMs: percentile(times, 0.5) ?? percentile(current, 0.5),
      p90Ms: percentile(times, 0.9),
      failedChecks: rows.reduce((n, r) => n + (r.failsByStep[key] ?? 0), 0),
      hands: rows.filter((r) => r.hand && r.hand.step === key).length,
    };
  });
}

/** How long a row has been on its step relative to the room's median for that step (1 = typical). */
export function slowness(row: BoardRow, stats: Map<string, StepStats>, now: number): number {
  if (row.completed || row.step === null || row.stepStartedAt === null) return 0;
  const onStep = Math.max(0, now - row.stepStartedAt);
  const median = stats.get(row.step)?.medianMs;
  return median ? onStep / median : onStep / 60_000;
}

/**
 * Who needs help most, first: an unanswered raised hand (oldest first), then an answered one, then
 * the longest on a step relative to the room's median, finished learners last; ties by name.
 */
export function sortBoard(rows: BoardRow[], stats: StepStats[], now: number): BoardRow[] {
  const byKey = new Map(stats.map((s) => [s.key, s]));
  const rank = (r: BoardRow) => (r.hand && r.hand.ackedAt === null ? 0 : r.hand ? 1 : r.completed ? 3 : 2);
  const slow = new Map(rows.map((r) => [r.id, slowness(r, byKey, now)]));
  return [...rows].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) <= 1 ? a.hand!.raisedAt - b.hand!.raisedAt : 0) ||
      slow.get(b.id)! - slow.get(a.id)! ||
      a.name.localeCompare(b.name) ||
      a.id.localeCompare(b.id),
  );
}
