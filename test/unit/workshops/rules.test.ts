/**
 * The workshop rules the service and the board share: codes, names, folding events into a row,
 * the room's per-step numbers and who comes first on the board.
 */
import { describe, expect, it } from 'vitest';
import { cleanName, cleanText, foldParticipant, normaliseCode, roomStats, sortBoard, type BoardEvent, type BoardRow, type Hand, type WorkshopStep } from '../../../src/shared/workshop.ts';

const STEPS: WorkshopStep[] = ['a', 'b', 'c'].map((step) => ({ lab: 'lab1', step }));
let n = 0;
const ev = (type: string, step: string | null, at: number, received = at, data: Record<string, unknown> | null = null): BoardEvent => ({ id: `e${++n}`, type, at, received, lab: 'lab1', step, data });
const base = (id: string, name = id) => ({ id, name, joinedAt: 0 });
const hand = (raisedAt: number, ackedAt: number | null = null): Hand => ({ id: `h${raisedAt}`, step: 'lab1/b', note: null, checkOutput: null, raisedAt, ackedAt });

describe('join codes and names', () => {
  it('normalises a typed code and refuses what cannot be one', () => {
    expect(normaliseCode(' k7m-3qx ')).toBe('K7M3QX');
    expect(normaliseCode('K7M3Q0')).toBeNull(); // 0 is not in the alphabet
    expect(normaliseCode('K7M3QXY')).toBeNull();
    expect(normaliseCode('<script>')).toBeNull();
  });

  it('neutralises HTML and invisible characters in a name, and refuses empty or overlong ones', () => {
    expect(cleanName('<img src=x onerror=alert(1)>Ana')).toBe('img src=x onerror=alert(1)Ana');
    expect(cleanName('  Ana \u202eevil\u200b  Lee ')).toBe('Ana evil Lee');
    expect(cleanName('Ｆｕｌｌ')).toBe('Full');
    expect(cleanName('x'.repeat(10_000))).toBeNull();
    expect(cleanName('x'.repeat(41))).toBeNull();
    expect(cleanName('x'.repeat(40))).toBe('x'.repeat(40));
    expect(cleanName('\u0000\u0007 ')).toBeNull();
    expect(cleanName(42)).toBeNull();
  });

  it('keeps newlines in free text, drops other controls and cuts to the limit', () => {
    expect(cleanText('a\r\nb\u0000c\u202e', 10)).toBe('a\nbc');
    expect(cleanText('😀'.repeat(5), 3)).toBe('😀😀😀');
  });
});

describe('a participant row', () => {
  it('follows the current step, counts its failed checks, hints and solutions, and times passed steps', () => {
    const row = foldParticipant(base('p'), [
      ev('lab_started', null, 0, 0, { runtime: 'runner' }),
      ev('step_started', 'a', 1000),
      ev('check_failed', 'a', 2000),
      ev('check_passed', 'a', 61_000),
      ev('step_started', 'b', 62_000),
      ev('check_failed', 'b', 63_000),
      ev('check_failed', 'b', 64_000),
      ev('hint_viewed', 'b', 65_000),
    ], STEPS, null);
    expect(row).toMatchObject({ step: 'lab1/b', stepIndex: 1, failedChecks: 2, hints: 1, solutions: 0, passed: 1, completed: false, runtime: 'runner' });
    expect(row.durations).toEqual({ 'lab1/a': 60_000 });
    expect(row.failsByStep).toEqual({ 'lab1/a': 1, 'lab1/b': 2 });
  });

  it('gives the same row whatever order the events arrive in', () => {
    const events = [ev('step_started', 'a', 1000), ev('check_passed', 'a', 5000), ev('step_started', 'b', 6000), ev('check_failed', 'b', 7000)];
    const a = foldParticipant(base('p'), events, STEPS, null);
    const b = foldParticipant(base('p'), [...events].reverse(), STEPS, null);
    expect(b).toEqual(a);
  });

  it('orders events of the same millisecond as the lab emits them: a step starts before its checks', () => {
    const row = foldParticipant(base('p'), [ev('check_failed', 'a', 1000), { ...ev('step_started', 'a', 1000), id: 'zzz' }, ev('lab_started', null, 1000)], STEPS, null);
    expect(row).toMatchObject({ step: 'lab1/a', failedChecks: 1 });
    // Passing a step and starting the next in one millisecond leaves the learner on the next one.
    const moved = foldParticipant(base('p'), [{ ...ev('step_started', 'b', 2000), id: 'a1' }, { ...ev('check_passed', 'a', 2000), id: 'a2' }, { ...ev('step_started', 'a', 2000), id: 'a3' }], STEPS, null);
    expect(moved).toMatchObject({ step: 'lab1/b', passed: 1 });
  });

  it("moves the step's start onto the service's clock by the smallest delay seen", () => {
    // The learner's clock runs 10 s behind the service; the quickest event took 200 ms to arrive.
    const row = foldParticipant(base('p'), [ev('step_started', 'a', 1000, 11_500), ev('hint_viewed', 'a', 2000, 12_200)], STEPS, null);
    expect(row.stepStartedAt).toBe(1000 + 10_200);
  });

  it('ignores steps that are not part of the workshop, and is complete when every step passed', () => {
    const row = foldParticipant(base('p'), [ev('step_started', 'zzz', 1), ...STEPS.flatMap((s, i) => [ev('step_started', s.step, i * 10 + 2), ev('check_passed', s.step, i * 10 + 5)])], STEPS, null);
    expect(row.completed).toBe(true);
    expect(row.passed).toBe(3);
  });
});

describe('the room', () => {
  const at = (id: string, step: string | null, startedAt: number | null, extra: Partial<BoardRow> = {}): BoardRow => ({
    ...foldParticipant(base(id), [], STEPS, null),
    step,
    stepIndex: step ? STEPS.findIndex((s) => `lab1/${s.step}` === step) : -1,
    stepStartedAt: startedAt,
    ...extra,
  });

  it('has a funnel, median and p90 per step from the passed times', () => {
    const rows = [
      at('p1', 'lab1/b', 0, { durations: { 'lab1/a': 60_000 }, passed: 1 }),
      at('p2', 'lab1/b', 0, { durations: { 'lab1/a': 120_000 }, passed: 1 }),
      at('p3', 'lab1/a', 0, { failsByStep: { 'lab1/a': 4 } }),
    ];
    const [a, b, c] = roomStats(rows, STEPS, 100_000);
    expect(a).toMatchObject({ key: 'lab1/a', reached: 3, passed: 2, current: 1, medianMs: 90_000, failedChecks: 4 });
    expect(a!.p90Ms).toBeCloseTo(114_000);
    // Nobody passed b: the median time of those on it so far stands in.
    expect(b).toMatchObject({ reached: 2, passed: 0, current: 2, medianMs: 100_000, p90Ms: null });
    expect(c).toMatchObject({ reached: 0, passed: 0, medianMs: null });
  });

  it('puts unanswered hands first (oldest first), then answered ones, then the slowest relative to the median, finished last', () => {
    const now = 1_000_000;
    const rows = [
      at('done', null, null, { completed: true, name: 'A' }),
      at('typical', 'lab1/a', now - 60_000, { name: 'B' }),
      at('slow', 'lab1/a', now - 600_000, { name: 'C' }),
      at('acked', 'lab1/a', now - 1000, { hand: hand(10, 20), name: 'D' }),
      at('late-hand', 'lab1/a', now - 1000, { hand: hand(50), name: 'E' }),
      at('early-hand', 'lab1/a', now - 1000, { hand: hand(5), name: 'F' }),
      at('other-step', 'lab1/b', now - 130_000, { name: 'G' }),
    ].map((r) => (r.id === 'typical' ? { ...r, durations: {} } : r));
    // Step a passes in 60 s typically; b in 120 s.
    rows.push(at('x1', 'lab1/c', now, { durations: { 'lab1/a': 60_000, 'lab1/b': 120_000 }, name: 'H' }));
    const stats = roomStats(rows, STEPS, now);
    expect(sortBoard(rows, stats, now).map((r) => r.id)).toEqual(['early-hand', 'late-hand', 'acked', 'slow', 'other-step', 'typical', 'x1', 'done']);
  });
});
