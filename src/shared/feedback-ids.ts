/**
 * The stable ids and limits of feedback and lab events, with no dependencies (but the
 * dependency-free check-output.ts), so the browser can import them without pulling zod into a page.
 * The schemas that enforce them are in feedback.ts.
 */
import { CHECK_OUTPUT_MAX_CHARS } from './check-output.ts';

/** Reasons after "Yes, this page helped" (Google's taxonomy, snake_case, stable). */
export const YES_REASONS = ['solved_my_problem', 'easy_to_follow', 'other'] as const;
/** Reasons after "No". */
export const NO_REASONS = ['missing_info', 'steps_failed', 'too_complicated', 'out_of_date', 'code_sample_issue', 'other'] as const;
/** Reasons for "I'm stuck" on a lab step. */
export const STUCK_REASONS = ['command_failed', 'check_failed_unclear', 'instructions_unclear', 'environment_broken', 'other'] as const;

export type YesReason = (typeof YES_REASONS)[number];
export type NoReason = (typeof NO_REASONS)[number];
export type StuckReason = (typeof STUCK_REASONS)[number];
export type FeedbackReason = YesReason | NoReason | StuckReason;

/** Labels shown to readers and on the insights page. */
export const REASON_LABELS: Record<FeedbackReason, string> = {
  solved_my_problem: 'Solved my problem',
  easy_to_follow: 'Easy to follow',
  other: 'Other',
  missing_info: 'Missing the information I need',
  steps_failed: 'The steps did not work',
  too_complicated: 'Too complicated or too many steps',
  out_of_date: 'Out of date',
  code_sample_issue: 'Problem with a code sample',
  command_failed: 'A command failed',
  check_failed_unclear: 'The check fails and I do not know why',
  instructions_unclear: 'The instructions are unclear',
  environment_broken: 'The lab environment is broken',
};

export const FEEDBACK_KINDS = ['page', 'stuck'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const EVENT_TYPES = [
  'lab_started',
  'step_started',
  'check_passed',
  'check_failed',
  'hint_viewed',
  'solution_revealed',
  'lab_reset',
  'lab_completed',
  'endpoint_live',
  'stuck',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TRIAGE_STATUSES = ['new', 'in_progress', 'resolved', 'dismissed'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

export const LIMITS = {
  /** Request body, bytes, for both ingest endpoints. */
  body: 16 * 1024,
  /** Characters are Unicode code points, counted the same way by the widget and the service. */
  comment: 2000,
  quote: 1000,
  /** The failed check's output an "I'm stuck" report carries (its last lines; see check-output.ts). */
  checkOutput: CHECK_OUTPUT_MAX_CHARS,
  page: 512,
  session: 64,
  note: 2000,
  /** Events per POST /api/events. */
  batch: 100,
  /** Serialised `data` of one event, bytes. */
  data: 2048,
  /** Nesting inside `data` (an object holding an object holding a value is 2). */
  dataDepth: 3,
} as const;

/** Counts what a reader sees as characters (code points), not UTF-16 units. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Wire shapes (what the browser sends). */
export interface FeedbackInput {
  id: string;
  page: string;
  helpful: boolean;
  kind?: FeedbackKind;
  reason?: FeedbackReason;
  comment?: string;
  quote?: string;
  persona?: string;
  lab?: string;
  step?: string;
  workshop?: string;
  /** The id of this reader's previous answer on the same page, which this one supersedes. */
  replaces?: string;
  /** True when the reader withdrew their answer: it and what it replaces no longer count. */
  withdrawn?: boolean;
  /** Lab context of an "I'm stuck" report. */
  context?: StuckContext;
}

export interface StuckContext {
  /** Seconds spent on the step so far. */
  stepSeconds?: number;
  lastCheck?: 'passed' | 'failed' | 'none';
  /** Which lab backend ran the step. */
  runtime?: string;
  /**
   * The last lines of the failed check's output, plain text (lastLines() in check-output.ts), at
   * most LIMITS.checkOutput characters. A passed check or a new step clears it.
   */
  checkOutput?: string;
}

export interface EventInput {
  id: string;
  type: EventType;
  at: string;
  session: string;
  lab?: string;
  step?: string;
  workshop?: string;
  data?: Record<string, unknown>;
}
