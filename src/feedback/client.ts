/**
 * The browser's feedback and events client.
 *
 *   sendFeedback(item)        always sent (the reader chose to give it), even with DNT/GPC on
 *   track(type, fields)       lab progress events; nothing is queued when DNT or GPC is on
 *   labEvents(lab)            typed helpers for the lab UI: started(), stepStarted(step), …
 *
 * Items go to the durable outbox first (queue.ts), then out in batches: feedback one per POST,
 * events up to 100 (and under 16 KB) per POST, retried with exponential backoff and jitter, and
 * handed to navigator.sendBeacon when the page is hidden. No cookies are sent or set. Sessions
 * are a random id in sessionStorage. In a joined workshop (src/workshops/participant-store.ts) events
 * carry its code and the participant's id as their session, requests carry the participant's
 * token, and progress is sent even with DNT/GPC on: joining said so and was the learner's choice.
 */
import type { EventInput, EventType, FeedbackInput } from '../shared/feedback-ids.ts';
import { getPersona } from '../persona/storage.ts';
import { Outbox, type OutboxItem } from './queue.ts';
import { joinedWorkshop } from '../workshops/participant-store.ts';

const SESSION_KEY = 'onramp:session';
const BATCH_BYTES = 15 * 1024;
const BATCH_EVENTS = 100;
const EVENT_DELAY_MS = 2000;
/** DOM event on `document` for every lab event, sent or not: `{ type, lab, step }`. */
export const LAB_EVENT = 'onramp:lab-event';

/** Where the API lives: same origin unless the site was built with PUBLIC_ONRAMP_API_URL. */
export const API_BASE: string = ((import.meta.env.PUBLIC_ONRAMP_API_URL as string | undefined) ?? '').replace(/\/$/, '');

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** A v4 UUID, also where crypto.randomUUID is missing (pages served over plain http). */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Do Not Track or Global Privacy Control: no progress events at all. */
export function trackingAllowed(): boolean {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean; msDoNotTrack?: string };
  const dnt = nav.doNotTrack ?? (globalThis as { doNotTrack?: string }).doNotTrack ?? nav.msDoNotTrack;
  return !(dnt === '1' || dnt === 'yes' || nav.globalPrivacyControl === true);
}

export function sessionId(): string {
  return safe(() => {
    let id = sessionStorage.getItem(SESSION_KEY);
    if (!id) sessionStorage.setItem(SESSION_KEY, (id = uuid()));
    return id;
  }, (memorySession ??= uuid()));
}
let memorySession: string | undefined;

/** The code of the workshop this browser joined, if any. */
export function workshopCode(): string | undefined {
  return safe(() => joinedWorkshop()?.code, undefined);
}

export function personaId(): string | undefined {
  return safe(() => getPersona()?.id, undefined);
}

let outbox: Outbox | undefined;
function box(): Outbox {
  return (outbox ??= new Outbox(safe(() => localStorage, null)));
}

const delivered = new Map<string, (ok: boolean) => void>();
let timer: ReturnType<typeof setTimeout> | undefined;
let flushing: Promise<void> | null = null;
let started = false;

function schedule(delay: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void flush(), Math.max(0, delay));
}

function scheduleNext(): void {
  const next = box().nextDue();
  if (next !== null) schedule(next - Date.now());
}

async function post(path: string, body: unknown): Promise<{ status: number; retryAfter?: number; error?: string }> {
  try {
    const res = await fetch(API_BASE + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      // No keepalive: page hide is sendBeacon's job, and keepalive requests never report completion
      // to DevTools (a page would never look idle to tests).
    });
    const retry = Number(res.headers.get('Retry-After'));
    let error: string | undefined;
    if (res.status >= 400) error = await res.json().then((j: { error?: string }) => j.error, () => undefined);
    return { status: res.status, retryAfter: Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined, error };
  } catch {
    return { status: 0 };
  }
}

/**
 * Only a refusal of the item itself (malformed, too large) is final; anything else (offline, 5xx,
 * 429, a misconfigured origin or proxy) is retried, so a fixable problem never costs feedback.
 */
const refused = (status: number, error?: string) =>
  status === 400 || status === 413 || status === 415 || status === 422 || (status === 403 && /^(participant|workshop):/.test(error ?? ''));
const retryable = (status: number, error?: string) => status !== 202 && !refused(status, error);

/** A feedback item as sent: carrying a workshop, with the participant's token. */
function feedbackBody(body: FeedbackInput): Record<string, unknown> {
  const token = body.workshop ? safe(() => joinedWorkshop()?.token, undefined) : undefined;
  return token ? { ...body, participant: token } : { ...body };
}

/** The body of an events request: in a workshop, with the participant's token. */
function eventsBody(group: OutboxItem[]): Record<string, unknown> {
  const events = group.map((i) => i.body);
  const token = events.some((e) => (e as EventInput).workshop) ? safe(() => joinedWorkshop()?.token, undefined) : undefined;
  return token ? { events, participant: token } : { events };
}

function settle(ids: string[], ok: boolean): void {
  for (const id of ids) {
    delivered.get(id)?.(ok);
    delivered.delete(id);
  }
}

/** Groups events into requests: at most 100 and under ~15 KB each; `solo` items go alone. */
export function batches(items: OutboxItem[]): OutboxItem[][] {
  const out: OutboxItem[][] = [];
  let current: OutboxItem[] = [];
  let bytes = 20;
  for (const item of items) {
    const size = JSON.stringify(item.body).length + 1;
    if (item.solo) {
      out.push([item]);
      continue;
    }
    if (current.length && (current.length >= BATCH_EVENTS || bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 20;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** Sends what is due. Stops at the first network failure and backs off. */
export function flush(): Promise<void> {
  return (flushing ??= (async () => {
    try {
      const q = box();
      const due = q.due();
      const handled = new Set<string>();
      // The service is unreachable or busy: everything still due waits, with backoff.
      const later = (retryAfter?: number) => q.retryLater(due.filter((i) => !handled.has(i.id)), retryAfter);
      for (const item of due.filter((i) => i.kind === 'feedback')) {
        const r = await post('/api/feedback', feedbackBody(item.body as FeedbackInput));
        if (retryable(r.status, r.error)) {
          later(r.retryAfter);
          return;
        }
        handled.add(item.id);
        if (r.status === 202) {
          q.remove([item.id]);
          settle([item.id], true);
        } else if (item.kind === 'feedback' && r.error?.startsWith('persona') && item.body.persona) {
          // A persona the service no longer knows must not cost the reader's feedback.
          const { persona: _drop, ...rest } = item.body;
          q.update({ ...item, body: rest });
          schedule(0);
        } else if (item.kind === 'feedback' && r.status === 403 && item.body.workshop) {
          // Nor a workshop the learner is no longer in: it goes to the platform team without it.
          const { workshop: _drop, ...rest } = item.body;
          q.update({ ...item, body: rest });
          schedule(0);
        } else {
          q.remove([item.id]); // Refused for good (malformed): retrying cannot help.
          settle([item.id], false);
        }
      }
      for (const group of batches(due.filter((i) => i.kind === 'event'))) {
        const r = await post('/api/events', eventsBody(group));
        if (retryable(r.status, r.error)) {
          later(r.retryAfter);
          return;
        }
        for (const i of group) handled.add(i.id);
        if (r.status === 202) {
          q.remove(group.map((i) => i.id));
          settle(group.map((i) => i.id), true);
        } else if (group.length > 1) {
          // One bad event must not sink the batch: send each alone to find it.
          for (const item of group) q.update({ ...item, solo: true });
          schedule(0);
        } else {
          q.remove([group[0]!.id]);
          settle([group[0]!.id], false);
        }
      }
    } finally {
      flushing = null;
      scheduleNext();
    }
  })());
}

/** On page hide: hand everything queued to the browser to deliver even as the page goes away. */
function beaconAll(): void {
  if (typeof navigator.sendBeacon !== 'function') return;
  const items = box().list();
  for (const item of items.filter((i) => i.kind === 'feedback')) safe(() => navigator.sendBeacon(API_BASE + '/api/feedback', JSON.stringify(feedbackBody(item.body as FeedbackInput))), false);
  for (const group of batches(items.filter((i) => i.kind === 'event'))) {
    safe(() => navigator.sendBeacon(API_BASE + '/api/events', JSON.stringify(eventsBody(group))), false);
  }
  // Items stay queued: without an acknowledgement, the next page sends them again (deduped).
}

/** Starts delivery: sends anything left from earlier pages and listens for online/page hide. */
export function start(): void {
  if (started) return;
  started = true;
  addEventListener('online', () => {
    for (const item of box().list()) box().update({ ...item, nextAt: 0 });
    void flush();
  });
  addEventListener('pagehide', beaconAll);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') beaconAll();
  });
  addEventListener('storage', (e) => {
    if (e.key?.startsWith('onramp:q:') && e.newValue) schedule(EVENT_DELAY_MS);
  });
  // A new page is a good moment to retry what an earlier page could not send.
  for (const item of box().list()) if (item.nextAt > 0) box().update({ ...item, nextAt: 0 });
  schedule(0);
}

export interface Sent {
  id: string;
  /** Resolves true once the service has acknowledged it during this page, false if refused. */
  delivered: Promise<boolean>;
}

/** Queues a feedback item and sends it now. Never dropped for DNT: the reader chose to send it. */
export function sendFeedback(item: Omit<FeedbackInput, 'id'> & { id?: string }): Sent {
  start();
  const body = { ...item, id: item.id ?? uuid() } as FeedbackInput;
  const persona = body.persona ?? personaId();
  if (persona) body.persona = persona;
  const workshop = body.workshop ?? workshopCode();
  if (workshop) body.workshop = workshop;
  const done = new Promise<boolean>((resolve) => delivered.set(body.id, resolve));
  box().add({ kind: 'feedback', body });
  if (timer) clearTimeout(timer);
  void flush();
  return { id: body.id, delivered: done };
}

/** Queues a progress event (batched, sent within a few seconds). A no-op under DNT/GPC. */
export function track(type: EventType, fields: { lab?: string; step?: string; data?: Record<string, unknown> } = {}): string | null {
  // Components on the page (e.g. "I'm stuck") follow the lab locally, whatever DNT says.
  safe(() => document.dispatchEvent(new CustomEvent(LAB_EVENT, { detail: { type, lab: fields.lab, step: fields.step } })), true);
  const joined = safe(() => joinedWorkshop(), null);
  if (!trackingAllowed() && !joined) return null;
  start();
  const persona = personaId();
  const data = { ...(persona ? { persona } : {}), ...fields.data };
  const event: EventInput = { id: uuid(), type, at: new Date().toISOString(), session: joined?.id ?? sessionId() };
  if (fields.lab) event.lab = fields.lab;
  if (fields.step) event.step = fields.step;
  if (joined) event.workshop = joined.code;
  if (Object.keys(data).length) event.data = data;
  box().add({ kind: 'event', body: event });
  if (!flushing) schedule(type === 'lab_completed' || type === 'endpoint_live' || type === 'stuck' ? 0 : EVENT_DELAY_MS);
  return event.id;
}

/** What the lab UI calls as the learner moves through a lab. */
export function labEvents(lab: string) {
  const at = (type: EventType) => (step?: string, data?: Record<string, unknown>) => track(type, { lab, step, data });
  return {
    started: (data?: Record<string, unknown>) => track('lab_started', { lab, data }),
    stepStarted: at('step_started'),
    checkPassed: at('check_passed'),
    checkFailed: at('check_failed'),
    hintViewed: at('hint_viewed'),
    solutionRevealed: at('solution_revealed'),
    reset: (data?: Record<string, unknown>) => track('lab_reset', { lab, data }),
    completed: (data?: Record<string, unknown>) => track('lab_completed', { lab, data }),
    /** The first successful prediction against the learner's endpoint. */
    endpointLive: at('endpoint_live'),
    stuck: at('stuck'),
  };
}

/** For tests and the widget: how many items wait to be sent. */
export function pending(): number {
  return box().list().length;
}
