/**
 * What a lab may need beyond what every runtime gives (a shell, `ramp`, a `node` for ES module
 * scripts with fs, fetch and asynchronous child processes). A runtime that cannot provide a need
 * is skipped for that lab, with the reason shown to the learner.
 */
export const LAB_NEEDS = {
  python: 'Python (python3)',
  npm: 'a real npm that installs packages from a registry',
  processes: 'real processes (synchronous child processes, signals, GNU tools)',
  typescript: 'node running TypeScript files directly',
} as const;

export type LabNeed = keyof typeof LAB_NEEDS;
export const LAB_NEED_NAMES = Object.keys(LAB_NEEDS) as [LabNeed, ...LabNeed[]];

/** The in-tab runtime provides none of the needs above. */
const TAB_PROVIDES: readonly LabNeed[] = [];

/** Why the in-tab runtime cannot run a lab with these needs, or '' when it can. */
export function tabCannotRun(needs: readonly LabNeed[] = []): string {
  return needs.filter((n) => !TAB_PROVIDES.includes(n)).map((n) => LAB_NEEDS[n]).join(', ');
}
