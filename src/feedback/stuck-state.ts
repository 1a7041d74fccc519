/**
 * What an "I'm stuck" report carries and how `update()` changes it, without the DOM (stuck.ts
 * holds the element; this part is unit-tested on its own).
 */
import { LIMITS, type StuckContext } from '../shared/feedback-ids.ts';
import { lastLines } from '../shared/check-output.ts';

export type LastCheck = NonNullable<StuckContext['lastCheck']>;

export interface StuckState {
  lab: string;
  step: string;
  runtime?: string;
  lastCheck: LastCheck;
  /** The failed check's output, as shown in the form and sent with a report. */
  checkOutput?: string;
  /** When the learner started this step (ms). */
  stepStartedAt: number;
}

export type StuckUpdate = Partial<StuckState>;

/**
 * The state after `update`. A new step restarts the timer (at `now` unless `stepStartedAt` is
 * given) and drops the previous step's check output; a passed check drops it too (output given
 * with `lastCheck: 'passed'` is ignored: only a failed check's output is sent). Output is stored
 * as lastLines() makes it (no line limit here, the caller chose one), so it never exceeds what the
 * service accepts; '' clears it.
 */
export function nextStuckState(state: StuckState, update: StuckUpdate, now: number): StuckState {
  const next: StuckState = { ...state };
  if (update.step !== undefined && update.step !== state.step) {
    next.step = update.step;
    next.stepStartedAt = update.stepStartedAt ?? now;
    next.checkOutput = undefined;
  } else if (update.stepStartedAt !== undefined) next.stepStartedAt = update.stepStartedAt;
  if (update.lab !== undefined) next.lab = update.lab;
  if (update.runtime !== undefined) next.runtime = update.runtime;
  if (update.lastCheck !== undefined) next.lastCheck = update.lastCheck;
  if (update.checkOutput !== undefined) next.checkOutput = lastLines(update.checkOutput, Infinity) || undefined;
  if (update.lastCheck === 'passed') next.checkOutput = undefined;
  return next;
}

/** The context a report made at `now` carries. */
export function stuckContext(state: StuckState, now: number): StuckContext {
  const ctx: StuckContext = { stepSeconds: Math.max(0, Math.round((now - state.stepStartedAt) / 1000)), lastCheck: state.lastCheck };
  if (state.runtime && /^[a-z0-9-]{1,32}$/.test(state.runtime)) ctx.runtime = state.runtime;
  if (state.checkOutput) ctx.checkOutput = state.checkOutput;
  return ctx;
}

/** Bytes of a value as JSON (UTF-8), as the service measures an event's `data`. */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

/**
 * The `data` of a `stuck` event: `data` with `checkOutput` added when the whole (with `alsoSent`,
 * the fields the events client adds, such as persona) still fits LIMITS.data; otherwise `data`
 * alone, since the feedback item carries the output anyway.
 */
export function stuckEventData(data: Record<string, unknown>, checkOutput?: string, alsoSent: Record<string, unknown> = {}): Record<string, unknown> {
  if (!checkOutput) return data;
  const withOutput = { ...data, checkOutput };
  return jsonBytes({ ...alsoSent, ...withOutput }) <= LIMITS.data ? withOutput : data;
}
