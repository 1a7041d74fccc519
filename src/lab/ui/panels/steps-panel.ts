/**
 * `<onramp-lab-steps>`: the steps, rendered as HTML by the page (readable without JavaScript and
 * indexed by search). Once the lab starts, it shows each step's result — the step's message and the
 * check's own last lines of output — and sends the learner's intents (run, check, solve).
 */
import type { Change, StepResult } from '../../controller.ts';
import { h } from '../dom.ts';
import type { OnrampLab } from '../lab-element.ts';
import { define, LabPanel } from './panel.ts';

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

  /** Recorded mode: each step shows the output recorded when the lab last passed CI. */
  showRecorded(rec: { recordedAt: string; steps: { id: string; commands: { command: string; output: string }[]; check: { command: string; output: string } }[] } | null): void {
    for (const s of this.lab.data.steps) {
      const box = this.lab.step(s.id).querySelector<HTMLElement>('[data-recorded]')!;
      const step = rec?.steps.find((r) => r.id === s.id);
      box.hidden = false;
      if (!step) {
        box.replaceChildren(h('p', {}, 'No recorded output for this step.'));
        continue;
      }
      const lines = [...step.commands.map((c) => `$ ${c.command}\n${c.output}`), `$ ${step.check.command}\n${step.check.output}`].join('\n');
      box.replaceChildren(
        h('p', { class: 'onramp-lab__recorded-label' }, h('strong', {}, 'Recorded output'), ` (not live; recorded ${rec!.recordedAt.slice(0, 10)} when the solution passed the checks)`),
        h('pre', { tabindex: '0', 'aria-label': `Recorded output of step ${s.title}` }, lines),
      );
    }
  }
}

define('onramp-lab-steps', LabStepsPanel);
