/**
 * `<onramp-lab-steps>`: the steps, rendered as HTML by the page (readable without JavaScript and
 * indexed by search). Once the lab starts, it shows each step's result — the step's message and the
 * check's own last lines of output — and sends the learner's intents (run, check, solve).
 */
import type { Change, StepResult } from '../../controller.ts';
import type { LabRecording } from '../../../shared/lab-schema.ts';
import { h } from '../dom.ts';
import type { OnrampLab } from '../lab-element.ts';
import { define, LabPanel } from './panel.ts';

/** Recorded mode as a walkthrough: the step being read, and moving on to another. */
export interface RecordedWalk {
  current: string;
  go(id: string): void;
}

export class LabStepsPanel extends LabPanel {
  private get lab(): OnrampLab {
    return this.closest('onramp-lab') as OnrampLab;
  }

  protected setup(): void {
    for (const b of this.querySelectorAll<HTMLButtonElement>('[data-action="try"], [data-action="check"], [data-action="solve"]')) b.disabled = false;
    this.addEventListener('click', (e) => void this.onClick(e));
  }

  protected update(change: Change): void {
    if (change === 'result') this.renderResults();
    if (change === 'progress') this.lab.renderProgress();
  }

  private renderResults() {
    for (const step of this.controller.data.steps) this.renderResult(step.id, this.controller.state.results[step.id]!);
  }

  private renderResult(id: string, r: StepResult) {
    const stepEl = this.lab.step(id);
    const box = stepEl.querySelector<HTMLElement>('[data-result]')!;
    const busy = r.state === 'checking' || r.state === 'solving';
    for (const b of stepEl.querySelectorAll<HTMLButtonElement>('[data-action="check"], [data-action="solve"], [data-action="solve-confirm"]')) {
      if (busy) b.setAttribute('aria-disabled', 'true');
      else b.removeAttribute('aria-disabled');
    }
    if (r.state === 'idle') {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.className = `onramp-lab__result ${r.state === 'passed' ? 'is-pass' : r.state === 'failed' ? 'is-fail' : 'is-busy'}`;
    box.querySelector('[data-result-message]')!.textContent = busy ? (r.state === 'checking' ? 'Checking…' : 'Applying the solution…') : r.state === 'passed' ? r.message : `Not yet: ${r.message}`;
    const out = box.querySelector<HTMLElement>('[data-result-output]')!;
    out.hidden = r.state !== 'failed' || !r.output;
    out.textContent = r.state === 'failed' ? r.output : '';
    if (r.state === 'passed' || r.state === 'failed') {
      void this.lab.stuck.then((m) => m.get(id)?.update(r.state === 'failed' ? { lastCheck: 'failed', checkOutput: r.output } : { lastCheck: 'passed', checkOutput: '' }));
    }
  }

  private async onClick(e: Event) {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const stepEl = button?.closest<HTMLElement>('[data-step]');
    if (!button || !stepEl || button.getAttribute('aria-disabled') === 'true') return;
    const id = stepEl.dataset.step!;
    const step = this.controller.step(id);
    switch (button.dataset.action) {
      case 'try':
        this.controller.runInTerminal(id, step.try!);
        break;
      case 'check':
        await this.controller.check(id);
        // Focus stays on Check (it was never disabled); the result is announced and shown below it.
        break;
      case 'solve':
        if (await this.wouldOverwrite(id)) {
          await this.lab.toggleSolution(stepEl.querySelector<HTMLButtonElement>('[data-action="show-solution"]')!, stepEl, id, true);
          this.controller.announce(`The solution of ${step.title} is shown as a diff. Confirm to overwrite your file.`);
        } else await this.controller.solve(id);
        break;
      case 'solve-confirm':
        button.closest('.onramp-lab__actions')?.remove();
        await this.controller.solve(id);
        stepEl.querySelector<HTMLButtonElement>('[data-action="check"]')?.focus();
        break;
    }
  }

  /** Would the solution replace something the learner wrote (a file that differs from it)? */
  private async wouldOverwrite(id: string): Promise<boolean> {
    if (!this.controller.step(id).solution.files.length) return false;
    const previews = await this.controller.solutionPreview(id).catch(() => []);
    return previews.some((p) => p.current !== null && p.current !== p.solution);
  }

  /**
   * Recorded mode: each step shows the output recorded when the lab last passed CI. With `walk`,
   * the step being read is marked (aria-current) and each step offers to go on to the next.
   */
  showRecorded(rec: Pick<LabRecording, 'recordedAt' | 'steps'> | null, walk?: RecordedWalk): void {
    const steps = this.lab.data.steps;
    steps.forEach((s, i) => {
      const box = this.lab.step(s.id).querySelector<HTMLElement>('[data-recorded]')!;
      const step = rec?.steps.find((r) => r.id === s.id);
      box.hidden = false;
      const next = walk && steps[i + 1] ? [this.nextButton(i + 1, walk)] : [];
      if (!step) {
        box.replaceChildren(h('p', {}, 'No recorded output for this step.'), ...next);
        return;
      }
      const lines = [...step.commands.map((c) => `$ ${c.command}\n${c.output}`), `$ ${step.check.command}\n${step.check.output}`].join('\n');
      box.replaceChildren(
        h('p', { class: 'onramp-lab__recorded-label' }, h('strong', {}, 'Recorded output'), ` (not live; recorded ${rec!.recordedAt.slice(0, 10)} when the solution passed the checks)`),
        h('pre', { tabindex: '0', 'aria-label': `Recorded output of step ${s.title}` }, lines),
        ...next,
      );
    });
    if (walk) this.markReading(walk.current);
  }

  /** "Next: step N, title": the learner has read this step and goes on (focus moves to the next step's title). */
  private nextButton(index: number, walk: RecordedWalk): HTMLButtonElement {
    const target = this.lab.data.steps[index]!;
    const button = h('button', { type: 'button', class: 'onramp-lab__recorded-next', 'data-recorded-next': target.id }, `Next: step ${index + 1}, ${target.title}`);
    button.addEventListener('click', () => {
      walk.go(target.id);
      this.markReading(target.id);
      const title = this.lab.step(target.id).querySelector<HTMLElement>('.onramp-lab__step-title');
      title?.focus();
      title?.scrollIntoView({ block: 'start' });
    });
    return button;
  }

  private markReading(id: string): void {
    for (const s of this.lab.data.steps) {
      const el = this.lab.step(s.id);
      if (s.id === id) el.setAttribute('aria-current', 'step');
      else el.removeAttribute('aria-current');
    }
  }
}

define('onramp-lab-steps', LabStepsPanel);
