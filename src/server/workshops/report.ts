/**
 * After a workshop: per step, how many reached and passed it, the median and p90 time to pass,
 * failed checks, stuck reports (raised hands, and "I'm stuck" feedback sent from the workshop)
 * and what people wrote. As JSON, or CSV with one line per step.
 */
import type { Store } from '../store/types.ts';
import { roomStats, stepKey } from '../../shared/workshop.ts';
import { csvLine } from '../feedback/export.ts';
import { allHands } from './records.ts';
import type { Room } from './room.ts';

export interface ReportComment {
  source: 'hand' | 'feedback';
  at: string;
  text: string | null;
  checkOutput: string | null;
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);

export async function workshopReport(store: Store, room: Room, now = Date.now()) {
  const code = room.workshop.code;
  const rows = room.rowsNow();
  const stats = roomStats(rows, room.workshop.steps, now);
  const comments = new Map<string, ReportComment[]>(stats.map((s) => [s.key, []]));
  const stuck = new Map<string, number>(stats.map((s) => [s.key, 0]));
  const seen = new Set<string>();
  for (const hand of await allHands(store, code)) {
    if (!hand.step || !comments.has(hand.step)) continue;
    stuck.set(hand.step, stuck.get(hand.step)! + 1);
    if (hand.note || hand.checkOutput) {
      comments.get(hand.step)!.push({ source: 'hand', at: new Date(hand.raisedAt).toISOString(), text: hand.note, checkOutput: hand.checkOutput });
      if (hand.note) seen.add(`${hand.step}\u0000${hand.note}`);
    }
  }
  const feedback = await store.query<{ lab: string | null; step: string | null; comment: string | null; context: string | null; received_at: number; kind: string | null }>(
    `SELECT lab, step, comment, context, received_at, kind FROM feedback WHERE workshop = ? AND lab IS NOT NULL AND step IS NOT NULL AND (kind = 'stuck' OR comment IS NOT NULL) ORDER BY received_at, id`,
    [code],
  );
  for (const f of feedback) {
    const key = `${f.lab}/${f.step}`;
    if (!comments.has(key)) continue;
    // The lab sends an "I'm stuck" report and raises the hand together: count and show it once.
    if (f.comment && seen.has(`${key}\u0000${f.comment}`)) continue;
    if (f.kind === 'stuck') stuck.set(key, stuck.get(key)! + 1);
    const context = f.context ? (JSON.parse(f.context) as { checkOutput?: string }) : null;
    if (f.comment || context?.checkOutput) comments.get(key)!.push({ source: 'feedback', at: new Date(Number(f.received_at)).toISOString(), text: f.comment, checkOutput: context?.checkOutput ?? null });
  }
  const participants = rows.length;
  const steps = stats.map((s) => ({
    lab: s.lab,
    step: s.step,
    reached: s.reached,
    passed: s.passed,
    completion: participants ? s.passed / participants : null,
    medianMinutes: minutes(s.passed ? s.medianMs : null),
    p90Minutes: minutes(s.p90Ms),
    failedChecks: s.failedChecks,
    stuckReports: stuck.get(s.key) ?? 0,
    comments: comments.get(s.key) ?? [],
  }));
  const top = (score: (s: (typeof steps)[number]) => number) =>
    steps
      .filter((s) => score(s) > 0)
      .sort((a, b) => score(b) - score(a) || room.workshop.steps.findIndex((x) => stepKey(x) === `${a.lab}/${a.step}`) - room.workshop.steps.findIndex((x) => stepKey(x) === `${b.lab}/${b.step}`))
      .slice(0, 5)
      .map((s) => ({ lab: s.lab, step: s.step, count: score(s) }));
  return {
    workshop: room.info(),
    participants,
    completed: rows.filter((r) => r.completed).length,
    steps,
    mostFailedChecks: top((s) => s.failedChecks),
    mostStuckReports: top((s) => s.stuckReports),
  };
}

export type WorkshopReport = Awaited<ReturnType<typeof workshopReport>>;

export const REPORT_CSV = ['lab', 'step', 'reached', 'passed', 'completion', 'median_minutes', 'p90_minutes', 'failed_checks', 'stuck_reports', 'comments'] as const;

export function reportCsv(report: WorkshopReport): string {
  let out = csvLine([...REPORT_CSV]);
  for (const s of report.steps) {
    const text = s.comments.map((c) => c.text ?? (c.checkOutput ? `(check output) ${c.checkOutput}` : '')).filter(Boolean).join('\n---\n');
    out += csvLine([s.lab, s.step, s.reached, s.passed, s.completion === null ? null : s.completion.toFixed(3), s.medianMinutes, s.p90Minutes, s.failedChecks, s.stuckReports, text]);
  }
  return out;
}
