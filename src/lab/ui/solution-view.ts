/**
 * A step's solution files shown as a read-only diff against what the learner has now (the open
 * editor, the lab's file, or before Start the starter file). "Solve this step" shows this first when
 * it would overwrite the learner's own work, and applies only on confirmation.
 */
import { diffLines } from 'diff';
import { h } from './dom.ts';
import type { OnrampLab } from './lab-element.ts';

export interface DiffLine {
  kind: 'add' | 'del' | 'same';
  text: string;
}

/** Line diff from `before` to `after` (jsdiff), one entry per line. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const part of diffLines(before, after)) {
    const kind = part.added ? 'add' : part.removed ? 'del' : 'same';
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) out.push({ kind, text });
  }
  return out;
}

const MARK = { add: '+', del: '−', same: ' ' } as const;
const LABEL = { add: 'added', del: 'removed', same: '' } as const;

function diffBlock(path: string, current: string | null, solution: string): HTMLElement {
  if (current === solution) return h('p', {}, h('code', {}, path), ' already matches the solution.');
  const lines = current === null ? lineDiff('', solution) : lineDiff(current, solution);
  const added = lines.filter((l) => l.kind === 'add').length;
  const removed = lines.filter((l) => l.kind === 'del').length;
  const pre = h('pre', { class: 'onramp-lab__diff', tabindex: '0', 'aria-label': `Changes the solution makes to ${path}: ${added} lines added, ${removed} removed` });
  for (const l of lines) {
    const row = h('span', { class: `onramp-lab__diff-${l.kind}` }, h('span', { class: 'onramp-lab__diff-mark', 'aria-hidden': 'true' }, MARK[l.kind]), l.text || ' ');
    if (LABEL[l.kind]) row.prepend(h('span', { class: 'sr-only' }, `${LABEL[l.kind]}: `));
    pre.append(row, '\n');
  }
  const what = current === null ? 'a new file' : `${added} lines added, ${removed} removed, compared with your current file`;
  return h('figure', { class: 'onramp-lab__diff-figure' }, h('figcaption', {}, h('code', {}, path), ` — ${what}`), pre);
}

/**
 * Renders the diff of each solution file of the step into `container` (which the caller has already
 * cleared to a "Loading" line, before this module loaded). With `confirmSolve`, adds a button that
 * applies the solution (the learner has seen what it overwrites).
 */
export async function renderSolution(lab: OnrampLab, container: HTMLElement, stepId: string, confirmSolve: boolean): Promise<void> {
  // Shown again (or Solve pressed) while this one loads: only the latest render may fill the box.
  const render = String(Number(container.dataset.render ?? 0) + 1);
  container.dataset.render = render;
  try {
    const previews = lab.controller ? await lab.controller.solutionPreview(stepId) : await previewBeforeStart(lab.data.id, lab.data.steps.find((s) => s.id === stepId)!.solution.files);
    if (container.dataset.render !== render) return;
    container.replaceChildren(...previews.map((p) => diffBlock(p.path, p.current, p.solution)));
    if (confirmSolve && lab.controller) {
      const paths = previews.filter((p) => p.current !== null && p.current !== p.solution).map((p) => p.path);
      const apply = h('button', { type: 'button', 'data-action': 'solve-confirm', class: 'onramp-lab__danger' }, paths.length ? `Overwrite ${paths.join(', ')} and check` : 'Apply the solution and check');
      const note = paths.length ? h('p', {}, `This replaces your version of ${paths.join(', ')} with the solution above.`) : null;
      container.append(...(note ? [note] : []), h('div', { class: 'onramp-lab__actions' }, apply));
      apply.focus();
    }
  } catch (error) {
    if (container.dataset.render !== render) return;
    container.replaceChildren(h('p', {}, `The solution could not be loaded: ${(error as Error).message}`));
  }
}

/** Before Start: the starter files against the solution. */
async function previewBeforeStart(lab: string, files: string[]): Promise<{ path: string; current: string | null; solution: string }[]> {
  const get = async (name: string) => {
    const res = await fetch(`/labs/${lab}/${name}.json`);
    if (!res.ok) throw new Error(`/labs/${lab}/${name}.json answered ${res.status}`);
    return (await res.json()) as Record<string, { contents?: string }>;
  };
  const [starter, solution] = await Promise.all([get('starter'), get('solution')]);
  return files.map((path) => ({ path, current: starter[path]?.contents ?? null, solution: solution[path]?.contents ?? '(binary file)' }));
}
