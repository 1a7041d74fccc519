/**
 * Shapes of feedback items and lab events, as zod schemas (the service validates with them) and
 * types (the browser uses only these, via `import type`, and the constants in feedback-ids.ts, so
 * no zod reaches a page). Every error names the field: `events.3.type: …`.
 */
import { z } from 'zod';
import {
  EVENT_TYPES,
  FEEDBACK_KINDS,
  LIMITS,
  NO_REASONS,
  STUCK_REASONS,
  TRIAGE_STATUSES,
  YES_REASONS,
  charCount,
  type EventInput,
  type FeedbackInput,
} from './feedback-ids.ts';

export * from './feedback-ids.ts';

/** Lowercase, as crypto.randomUUID() makes them, so one item has one spelling of its key. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SESSION = /^[A-Za-z0-9_-]{8,64}$/;
const WORKSHOP = /^[A-Za-z0-9_-]{1,32}$/;
/** A site path: starts with one slash, no scheme, host, query, fragment, backslash or control character. */
const PAGE = /^\/(?!\/)[^\s?#\\\u0000-\u001f\u007f]*$/;
/** ISO-8601 with a time and an offset, e.g. 2025-01-31T09:00:00.000Z. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar-valid time (Date.parse would roll 2025-02-31 over to March) from 2000 to tomorrow. */
function realTime(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = s.slice(11, 19).split(':').map(Number) as [number, number, number?];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return false;
  if (hh > 23 || mm > 59 || (ss ?? 0) > 59) return false;
  const t = Date.parse(s);
  return Number.isFinite(t) && t > Date.UTC(2000, 0, 1) && t < Date.now() + 24 * 3600 * 1000;
}

/**
 * Free text: any Unicode a person may type, except NUL and unpaired surrogates, up to `max`
 * characters; `tooLong` says what to do about a longer one.
 */
function text(max: number, tooLong = '') {
  return z.string().superRefine((value, ctx) => {
    if (value.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters' });
    else if (!value.isWellFormed()) ctx.addIssue({ code: 'custom', message: 'contains an unpaired surrogate (not valid Unicode)' });
    else if (charCount(value) > max) ctx.addIssue({ code: 'custom', message: `is over ${max} characters${tooLong}` });
  });
}

const uuid = () => z.string().regex(UUID, 'must be a lowercase UUID');
const slug = (what: string) => z.string().regex(SLUG, `must be a lowercase ${what} id such as pkl-to-endpoint (at most 64 characters)`);
const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: () => `unknown ${what}; expected one of: ${values.join(', ')}` });

export const StuckContextSchema = z.strictObject({
  stepSeconds: z.number().int().min(0).max(7 * 24 * 3600).optional(),
  lastCheck: z.enum(['passed', 'failed', 'none']).optional(),
  runtime: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a short lowercase id').optional(),
  checkOutput: text(LIMITS.checkOutput, "; send only the last lines of the check's output (lastLines() in src/shared/check-output.ts)").optional(),
});

/** Checks `data` of an event: a plain object of JSON values, small and shallow. */
function checkData(value: unknown, ctx: z.RefinementCtx): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be an object' });
    return;
  }
  const walk = (v: unknown, depth: number): string | null => {
    if (v === null || typeof v === 'boolean') return null;
    if (typeof v === 'number') return Number.isFinite(v) ? null : 'numbers must be finite';
    if (typeof v === 'string') return v.includes('\u0000') ? 'strings must not contain NUL' : v.isWellFormed() ? null : 'strings must be valid Unicode';
    if (typeof v !== 'object') return 'holds a value that is not JSON';
    if (depth >= LIMITS.dataDepth) return `is nested deeper than ${LIMITS.dataDepth} levels`;
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (k.length > 64 || !k.isWellFormed() || k.includes('\u0000')) return 'has a key that is too long or not valid Unicode';
      const problem = walk(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  const problem = walk(value, 0);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return;
  }
  const size = new TextEncoder().encode(JSON.stringify(value)).length;
  if (size > LIMITS.data) ctx.addIssue({ code: 'custom', message: `is ${size} bytes as JSON; the limit is ${LIMITS.data}` });
}

/** This site's labs and their step ids, when the service knows them (lab → steps). */
export type LabSteps = ReadonlyMap<string, ReadonlySet<string>>;

/** Flags a `lab`/`step` pair that names no lab or step of this site. */
function checkLabStep(item: { lab?: string; step?: string }, labs: LabSteps | undefined, ctx: z.RefinementCtx): void {
  if (!labs || item.lab === undefined) return;
  const steps = labs.get(item.lab);
  if (!steps) ctx.addIssue({ code: 'custom', path: ['lab'], message: `unknown lab; expected one of: ${[...labs.keys()].join(', ')}` });
  else if (item.step !== undefined && !steps.has(item.step)) ctx.addIssue({ code: 'custom', path: ['step'], message: `unknown step of lab "${item.lab}"; expected one of: ${[...steps].join(', ')}` });
}

/** Builds the schemas for this site's persona ids (and, when given, its labs and their steps). */
export function feedbackSchemas(personaIds: readonly [string, ...string[]], labs?: LabSteps) {
  const persona = oneOf(personaIds, 'persona');
  const known = new Set<string>(personaIds);

  const feedback = z
    .strictObject({
      id: uuid(),
      page: z
        .string()
        .max(LIMITS.page, `must be at most ${LIMITS.page} characters`)
        .regex(PAGE, 'must be a path on this site such as /guides/x/ (no scheme, host, query or fragment)'),
      helpful: z.boolean(),
      kind: oneOf(FEEDBACK_KINDS, 'kind').optional(),
      reason: z.string().optional(),
      comment: text(LIMITS.comment).optional(),
      quote: text(LIMITS.quote).optional(),
      persona: persona.optional(),
      lab: slug('lab').optional(),
      step: slug('step').optional(),
      workshop: z.string().regex(WORKSHOP, 'must be a code of letters, digits, - or _ (at most 32)').optional(),
      replaces: uuid().optional(),
      withdrawn: z.boolean().optional(),
      context: StuckContextSchema.optional(),
      /** A workshop participant's token: required when the item carries a workshop; never stored. */
      participant: z.string().max(128, 'must be the token you got when you joined').optional(),
    })
    .superRefine((item, ctx) => {
      const kind = item.kind ?? 'page';
      if (item.reason !== undefined) {
        const allowed: readonly string[] = kind === 'stuck' ? STUCK_REASONS : item.helpful ? YES_REASONS : NO_REASONS;
        if (!allowed.includes(item.reason)) {
          const which = kind === 'stuck' ? '"I\'m stuck"' : item.helpful ? 'a helpful answer' : 'an unhelpful answer';
          ctx.addIssue({ code: 'custom', path: ['reason'], message: `unknown reason for ${which}; expected one of: ${allowed.join(', ')}` });
        }
      }
      if (kind === 'stuck') {
        if (item.helpful) ctx.addIssue({ code: 'custom', path: ['helpful'], message: 'must be false for "I\'m stuck"' });
        if (!item.lab || !item.step) ctx.addIssue({ code: 'custom', path: [item.lab ? 'step' : 'lab'], message: 'is required for "I\'m stuck"' });
      } else if (item.context) ctx.addIssue({ code: 'custom', path: ['context'], message: 'is only for "I\'m stuck" reports' });
      if (item.withdrawn && !item.replaces) ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'is required to withdraw an answer' });
      if (item.replaces && item.replaces === item.id) ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'must differ from id' });
      checkLabStep(item, labs, ctx);
    });

  const event = z
    .strictObject({
      id: uuid(),
      type: oneOf(EVENT_TYPES, 'event type'),
      at: z
        .string()
        .regex(ISO, 'must be an ISO-8601 time with an offset, e.g. 2025-01-31T09:00:00Z')
        .refine(realTime, 'must be a real time between 2000 and tomorrow'),
      session: z.string().regex(SESSION, `must be 8 to ${LIMITS.session} letters, digits, - or _`),
      lab: slug('lab').optional(),
      step: slug('step').optional(),
      workshop: z.string().regex(WORKSHOP, 'must be a code of letters, digits, - or _ (at most 32)').optional(),
      data: z.unknown().superRefine(checkData).optional(),
    })
    .superRefine((e, ctx) => {
      const data = e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? (e.data as Record<string, unknown>) : undefined;
      if (data && 'persona' in data && !(typeof data.persona === 'string' && known.has(data.persona))) {
        ctx.addIssue({ code: 'custom', path: ['data', 'persona'], message: `unknown persona; expected one of: ${personaIds.join(', ')}` });
      }
      if (e.type === 'stuck' && data && 'reason' in data && !(STUCK_REASONS as readonly unknown[]).includes(data.reason)) {
        ctx.addIssue({ code: 'custom', path: ['data', 'reason'], message: `unknown reason; expected one of: ${STUCK_REASONS.join(', ')}` });
      }
      checkLabStep(e, labs, ctx);
    });

  const events = z.strictObject({
    events: z.array(event).min(1, 'must hold at least one event').max(LIMITS.batch, `must hold at most ${LIMITS.batch} events per request`),
    /** A workshop participant's token (from joining): required when events carry a workshop. */
    participant: z.string().max(128, 'must be the token you got when you joined').optional(),
  });

  const triage = z
    .strictObject({
      status: oneOf(TRIAGE_STATUSES, 'status').optional(),
      note: text(LIMITS.note).optional(),
    })
    .refine((t) => t.status !== undefined || t.note !== undefined, 'send a status, a note or both');

  return { feedback, event, events, triage, persona };
}

export type FeedbackSchemas = ReturnType<typeof feedbackSchemas>;
export type Feedback = FeedbackInput;
export type LabEvent = EventInput;
export type TriageUpdate = { status?: (typeof TRIAGE_STATUSES)[number]; note?: string };

/** Turns the first zod issue into "field: message", naming unknown keys. */
export function describeIssue(error: z.ZodError, root = 'body'): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.') || root;
  if (issue.code === 'unrecognized_keys') return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type') {
    const expected = (issue as { expected?: string }).expected;
    return `${path}: ${issue.message.startsWith('Invalid input') ? `expected ${expected}` : issue.message}`;
  }
  return `${path}: ${issue.message}`;
}
