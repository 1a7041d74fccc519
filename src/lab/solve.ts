/** Applying a step's solution and running its check: shared by the lab UI, `labs:check` and `labs:record`. */
import type { LabTree } from '../shared/lab-schema.ts';
import { isBackground, stripBackground, type ExecResult, type LabRuntime } from './runtime.ts';

export interface StepLike {
  check: { run: string; timeout: number };
  solution: { files: string[]; run: string[] };
}

/** path → file node, as in `/labs/<id>/solution.json`. */
export type SolutionFiles = Record<string, { contents: string } | { base64: string }>;

export interface SolutionRun {
  command: string;
  result: ExecResult;
}

export async function applySolution(runtime: LabRuntime, step: StepLike, files: SolutionFiles, onCommand?: (command: string) => void): Promise<SolutionRun[]> {
  const tree: LabTree = {};
  for (const path of step.solution.files) {
    const node = files[path];
    if (!node) throw new Error(`the solution file ${path} is missing`);
    // mount() takes a tree; a flat name with slashes is split by the runtimes' writeFile.
    tree[path] = { file: node };
  }
  if (step.solution.files.length) await runtime.mount(tree);
  const runs: SolutionRun[] = [];
  for (const command of step.solution.run) {
    onCommand?.(command);
    const background = isBackground(command);
    const result = await runtime.exec(background ? stripBackground(command) : command, { background, timeoutMs: step.check.timeout * 1000 });
    runs.push({ command, result });
  }
  return runs;
}

export function runCheck(runtime: LabRuntime, step: StepLike): Promise<ExecResult> {
  return runtime.exec(step.check.run, { timeoutMs: step.check.timeout * 1000 });
}
