/**
 * Recorded mode as a walkthrough: when no runtime starts, the lab still reports that it started
 * (runtime "recorded") and the step the learner is reading, kept across a reload, so a workshop
 * board shows where they are, folded by the same rules as live progress.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabController } from '../../src/lab/controller.ts';
import type { LabEvents } from '../../src/lab/ui/events.ts';
import type { LabClientData } from '../../src/shared/lab-schema.ts';
import { foldParticipant, type BoardEvent } from '../../src/shared/workshop.ts';

const LAB: LabClientData = {
  id: 'demo',
  title: 'Demo',
  duration: 5,
  summary: 'A lab for tests',
  needs: [],
  treeUrl: '/labs/demo/tree.json',
  recordedUrl: '/labs/demo/recorded.json',
  steps: ['edit', 'scan', 'serve'].map((id) => ({ id, title: `Step ${id}`, check: { run: `check ${id}`, message: 'not yet', timeout: 5 }, solution: { files: [], run: [] } })),
};

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

/** Records what the lab reports, as the events client would send it. */
function recorder() {
  const sent: { type: string; step?: string; data?: Record<string, unknown> }[] = [];
  const at = (type: string) => (step?: string, data?: Record<string, unknown>) => void sent.push({ type, ...(step ? { step } : {}), ...(data ? { data } : {}) });
  const events: LabEvents = {
    started: (data) => void sent.push({ type: 'lab_started', ...(data ? { data } : {}) }),
    stepStarted: at('step_started'),
    checkPassed: at('check_passed'),
    checkFailed: at('check_failed'),
    hintViewed: at('hint_viewed'),
    solutionRevealed: at('solution_revealed'),
    reset: () => void sent.push({ type: 'lab_reset' }),
    completed: () => void sent.push({ type: 'lab_completed' }),
    endpointLive: at('endpoint_live'),
  };
  return { sent, events };
}

/** A lab page with no runtime available: it falls back to recorded output, as the workspace does. */
async function recordedLab() {
  const { sent, events } = recorder();
  const c = new LabController(LAB, {
    makeRuntime: async () => {
      throw new Error('the lab runner is turned off on this server');
    },
    events,
  });
  expect(await c.start({ tries: ['runner'], recorded: false, notice: '' })).toBe(false);
  expect(c.state.phase).toBe('recorded');
  return { c, sent };
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal('localStorage', storage);
});
afterEach(() => vi.unstubAllGlobals());

describe('recorded mode reports where the learner is', () => {
  it('reports the lab started on the "recorded" runtime, on the first step', async () => {
    const { c, sent } = await recordedLab();
    expect(sent).toEqual([]);
    c.readyRecorded();
    expect(sent).toEqual([
      { type: 'lab_started', data: { runtime: 'recorded', resumed: false } },
      { type: 'step_started', step: 'edit' },
    ]);
  });

  it('moving on reports the next step once, and a reload resumes on it', async () => {
    const first = await recordedLab();
    first.c.readyRecorded();
    first.c.readStep('scan');
    first.c.readStep('scan');
    expect(first.sent.filter((e) => e.type === 'step_started').map((e) => e.step)).toEqual(['edit', 'scan']);
    expect(JSON.parse(storage.getItem('onramp:lab:demo')!)).toMatchObject({ readingStep: 'scan', done: [] });

    const reloaded = await recordedLab();
    expect(reloaded.c.readingStep()).toBe('scan');
    reloaded.c.readyRecorded();
    expect(reloaded.sent).toEqual([
      { type: 'lab_started', data: { runtime: 'recorded', resumed: true } },
      { type: 'step_started', step: 'scan' },
    ]);
  });

  it('starts on the first step not done when the learner was live before, and refuses a step the lab does not have', async () => {
    storage.setItem('onramp:lab:demo', JSON.stringify({ done: ['edit'], solved: [], hints: {} }));
    const { c, sent } = await recordedLab();
    c.readyRecorded();
    expect(sent.at(-1)).toEqual({ type: 'step_started', step: 'scan' });
    expect(() => c.readStep('nope')).toThrow(/no step nope/);
    // A step kept from an older version of the lab that no longer exists is ignored.
    storage.setItem('onramp:lab:demo', JSON.stringify({ done: [], solved: [], hints: {}, readingStep: 'gone' }));
    expect((await recordedLab()).c.readingStep()).toBe('edit');
  });

  it('the board shows the step being read, with the runtime "recorded"', async () => {
    const { c, sent } = await recordedLab();
    c.readyRecorded();
    c.readStep('scan');
    const t0 = Date.UTC(2026, 2, 2, 9);
    const board: BoardEvent[] = sent.map((e, i) => ({ id: `e${i}`, type: e.type, at: t0 + i, received: t0 + i + 50, lab: LAB.id, step: e.step ?? null, data: e.data ?? null }));
    const row = foldParticipant({ id: 'p1', name: 'Ana', joinedAt: t0 }, board, LAB.steps.map((s) => ({ lab: LAB.id, step: s.id })), null);
    expect(row).toMatchObject({ step: 'demo/scan', stepIndex: 1, runtime: 'recorded', passed: 0, completed: false, stepStartedAt: t0 + 2 + 50 });
  });
});
