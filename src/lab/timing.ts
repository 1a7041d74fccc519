/**
 * User Timing marks along a lab's start (`onramp-lab:<name>`), so a profiler, a RUM script or
 * bench/lab can see where Start → prompt goes. Marks are cheap and stay in the page.
 */
export type LabMark = 'start' | 'workspace-loaded' | 'boot-requested' | 'tree-loaded' | 'session-created' | 'terminal-connected' | 'terminal-code' | 'shell-attached' | 'first-output';

export function labMark(name: LabMark): void {
  try {
    globalThis.performance?.mark(`onramp-lab:${name}`);
  } catch {
    /* no User Timing */
  }
}
