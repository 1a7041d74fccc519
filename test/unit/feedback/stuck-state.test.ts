/**
 * The rules behind <onramp-stuck>'s update() (stuck-state.ts; the element only applies them and
 * draws): what sets and clears the check output, the context a report carries, and when the
 * `stuck` event can carry the output within LIMITS.data.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jsonBytes, nextStuckState, stuckContext, stuckEventData, type StuckState } from '../../../src/feedback/stuck-state.ts';
import { LIMITS, feedbackSchemas } from '../../../src/shared/feedback.ts';
import { lastLines } from '../../../src/shared/check-output.ts';
import { personaIds } from '../../../src/shared/personas.ts';

const T = 1_700_000_000_000;
const base: StuckState = { lab: 'pkl', step: 'deploy', runtime: 'runner', lastCheck: 'none', stepStartedAt: T };
const failed = nextStuckState(base, { lastCheck: 'failed', checkOutput: 'Error: 404\n' }, T + 1000);

describe('update rules', () => {
  it('sets the output (as lastLines makes it) with a failed check', () => {
    expect(failed).toMatchObject({ lastCheck: 'failed', checkOutput: 'Error: 404', step: 'deploy', stepStartedAt: T });
    expect(nextStuckState(base, { checkOutput: '\u001b[31mred\u001b[0m' }, T).checkOutput).toBe('red');
  });

  it('keeps every line the caller kept, but never more characters than the service takes', () => {
    const many = Array.from({ length: 40 }, (_, i) => `l${i}`).join('\n');
    expect(nextStuckState(base, { checkOutput: many }, T).checkOutput).toBe(many);
    const huge = nextStuckState(base, { checkOutput: 'z'.repeat(50_000) }, T).checkOutput!;
    expect([...huge]).toHaveLength(LIMITS.checkOutput);
    expect(huge.startsWith('…')).toBe(true);
  });

  it('clears it on a passed check, even when output comes with it', () => {
    expect(nextStuckState(failed, { lastCheck: 'passed' }, T).checkOutput).toBeUndefined();
    expect(nextStuckState(failed, { lastCheck: 'passed', checkOutput: 'all good' }, T).checkOutput).toBeUndefined();
  });

  it('clears it on a new step, which also restarts the timer', () => {
    const moved = nextStuckState(failed, { step: 'predict' }, T + 5000);
    expect(moved).toMatchObject({ step: 'predict', stepStartedAt: T + 5000 });
    expect(moved.checkOutput).toBeUndefined();
    expect(nextStuckState(failed, { step: 'predict', stepStartedAt: T + 42 }, T + 5000).stepStartedAt).toBe(T + 42);
    // Output given with the new step belongs to it.
    expect(nextStuckState(failed, { step: 'predict', checkOutput: 'new failure' }, T).checkOutput).toBe('new failure');
  });

  it('keeps it when the same step is set again or other fields change', () => {
    expect(nextStuckState(failed, { step: 'deploy' }, T + 9000)).toEqual(failed);
    expect(nextStuckState(failed, { lastCheck: 'failed' }, T).checkOutput).toBe('Error: 404');
    expect(nextStuckState(failed, { runtime: 'webcontainer', lab: 'pkl' }, T).checkOutput).toBe('Error: 404');
  });

  it("clears it when given '' or output that is only escape codes and blank lines", () => {
    expect(nextStuckState(failed, { checkOutput: '' }, T).checkOutput).toBeUndefined();
    expect(nextStuckState(failed, { checkOutput: '\u001b[0m\n\n' }, T).checkOutput).toBeUndefined();
  });

  it('does not change the state it is given', () => {
    const before = { ...failed };
    nextStuckState(failed, { step: 'other', lastCheck: 'passed' }, T);
    expect(failed).toEqual(before);
  });
});

describe('the context a report carries', () => {
  it('has the output only while it is set', () => {
    expect(stuckContext(failed, T + 61_400)).toEqual({ stepSeconds: 61, lastCheck: 'failed', runtime: 'runner', checkOutput: 'Error: 404' });
    expect(stuckContext(nextStuckState(failed, { lastCheck: 'passed' }, T), T)).toEqual({ stepSeconds: 0, lastCheck: 'passed', runtime: 'runner' });
  });

  it('is accepted by the service, even for the longest output', () => {
    const { feedback } = feedbackSchemas(personaIds());
    const state = nextStuckState(base, { lastCheck: 'failed', checkOutput: lastLines('💥'.repeat(5000)) }, T);
    const item = { id: randomUUID(), page: '/labs/pkl/', helpful: false, kind: 'stuck', reason: 'command_failed', lab: 'pkl', step: 'deploy', context: stuckContext(state, T + 1000) };
    expect(feedback.safeParse(item).success).toBe(true);
  });
});

describe('the stuck event', () => {
  const data = { reason: 'command_failed', feedback: randomUUID(), stepSeconds: 61, lastCheck: 'failed', runtime: 'runner' };
  const persona = { persona: 'data-scientist' };

  it('carries the output when the data still fits', () => {
    expect(stuckEventData(data, 'Error: 404', persona)).toEqual({ ...data, checkOutput: 'Error: 404' });
  });

  it('leaves it out when it would not fit (the feedback item has it)', () => {
    const big = lastLines('é'.repeat(5000)); // 1000 characters, about 2000 bytes as JSON
    expect(stuckEventData(data, big, persona)).toEqual(data);
  });

  it('counts what the events client adds, at the exact limit', () => {
    const room = LIMITS.data - jsonBytes({ ...persona, ...data, checkOutput: '' });
    const fits = 'a'.repeat(room);
    expect(jsonBytes({ ...persona, ...stuckEventData(data, fits, persona) })).toBe(LIMITS.data);
    expect(stuckEventData(data, fits, persona)).toHaveProperty('checkOutput', fits);
    expect(stuckEventData(data, fits + 'a', persona)).toEqual(data);
    // Without a persona there is room for it.
    expect(stuckEventData(data, fits + 'a')).toHaveProperty('checkOutput');
  });

  it('counts bytes as JSON escapes them (quotes, backslashes, newlines)', () => {
    const room = LIMITS.data - jsonBytes({ ...data, checkOutput: '' });
    const quoted = '"'.repeat(Math.floor(room / 2) + 1);
    expect(stuckEventData(data, quoted)).toEqual(data);
  });

  it('sends nothing extra without output', () => {
    expect(stuckEventData(data, undefined, persona)).toBe(data);
    expect(stuckEventData(data, '', persona)).toBe(data);
  });

  it('is data the service accepts', () => {
    const { events } = feedbackSchemas(personaIds());
    const ev = (d: Record<string, unknown>) => ({ events: [{ id: randomUUID(), type: 'stuck', at: new Date().toISOString(), session: 'sess-12345678', lab: 'pkl', step: 'deploy', data: { ...persona, ...d } }] });
    expect(events.safeParse(ev(stuckEventData(data, 'Error: 404\n\tat x', persona))).success).toBe(true);
    expect(events.safeParse(ev(stuckEventData(data, lastLines('é'.repeat(5000)), persona))).success).toBe(true);
    // Without the check, the same output would have sunk the event.
    expect(events.safeParse(ev({ ...data, checkOutput: lastLines('é'.repeat(5000)) })).success).toBe(false);
  });
});
