/**
 * Where the lab UI meets the feedback part: its events client (`src/feedback/client.ts`,
 * `labEvents(lab)`) and its "I'm stuck" component (`src/feedback/stuck.ts`). Both are found with
 * `import.meta.glob`, so the lab works (without events) in a fork that leaves feedback out.
 */
export interface LabEvents {
  started(data?: Record<string, unknown>): void;
  stepStarted(step?: string, data?: Record<string, unknown>): void;
  checkPassed(step?: string, data?: Record<string, unknown>): void;
  checkFailed(step?: string, data?: Record<string, unknown>): void;
  hintViewed(step?: string, data?: Record<string, unknown>): void;
  solutionRevealed(step?: string, data?: Record<string, unknown>): void;
  reset(data?: Record<string, unknown>): void;
  completed(data?: Record<string, unknown>): void;
  endpointLive(step?: string, data?: Record<string, unknown>): void;
}

const noop = () => {};
export const silentEvents: LabEvents = {
  started: noop,
  stepStarted: noop,
  checkPassed: noop,
  checkFailed: noop,
  hintViewed: noop,
  solutionRevealed: noop,
  reset: noop,
  completed: noop,
  endpointLive: noop,
};

const clients = import.meta.glob<{ labEvents?: (lab: string) => LabEvents }>('../../feedback/client.ts');
const stuckModules = import.meta.glob<Record<string, unknown>>('../../feedback/stuck.ts');

export async function loadLabEvents(lab: string): Promise<LabEvents> {
  const load = Object.values(clients)[0];
  if (!load) return silentEvents;
  try {
    const mod = await load();
    return mod.labEvents ? { ...silentEvents, ...mod.labEvents(lab) } : silentEvents;
  } catch {
    return silentEvents;
  }
}

export interface StuckHandle {
  update(options: { lastCheck?: 'passed' | 'failed'; runtime?: string; checkOutput?: string }): void;
}

/**
 * Mounts the feedback part's "I'm stuck" component (`mountStuck(el, { lab, step, runtime })` from
 * stuck.ts) in each step's `[data-stuck]` slot, when the feedback part exists.
 */
export async function mountStuck(lab: string, runtime: string, slots: { el: HTMLElement; step: string }[]): Promise<Map<string, StuckHandle>> {
  const handles = new Map<string, StuckHandle>();
  const load = Object.values(stuckModules)[0];
  if (!load) return handles;
  const mod = await load();
  const mountFn = mod.mountStuck as ((el: HTMLElement, options: { lab: string; step: string; runtime?: string }) => StuckHandle) | undefined;
  if (!mountFn) return handles;
  for (const slot of slots) {
    if (slot.el.childElementCount) continue;
    handles.set(slot.step, mountFn(slot.el, { lab, step: slot.step, runtime }));
  }
  return handles;
}
