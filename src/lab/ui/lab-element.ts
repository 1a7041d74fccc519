/**
 * `<onramp-lab>`: the part of a lab that loads with the page. It shows saved progress, reveals
 * hints and solutions, offers "I'm stuck" from the first moment, and on Start loads the workspace
 * (controller, runtime, panels) with a dynamic import, so a lab page costs little until then.
 */
import type { LabController } from '../controller.ts';
import type { LabClientData } from '../../shared/lab-schema.ts';
import { labMark } from '../timing.ts';
import { h } from './dom.ts';
import { mountStuck, type StuckHandle } from './events.ts';
import { loadProgress, saveProgress } from './progress.ts';
import { joinedWorkshop } from '../../workshops/participant-store.ts';

export const AUTOSTART_KEY = 'onramp:lab-autostart';

export class OnrampLab extends HTMLElement {
  data!: LabClientData;
  /** Set by the workspace once the lab starts. */
  controller: LabController | null = null;
  /** "I'm stuck" per step, mounted when the page is idle (before Start: a lab that won't start is friction too). */
  stuck: Promise<Map<string, StuckHandle>> = Promise.resolve(new Map());
  private started = false;

  connectedCallback() {
    if (this.data) return;
    this.data = JSON.parse(this.querySelector('[data-lab-data]')!.textContent!) as LabClientData;
    this.renderProgress();
    this.addEventListener('click', (e) => this.onClick(e));
    // Intent to start (pointer over or focus on Start): fetch the workspace's code ahead of the click.
    const start = this.querySelector<HTMLButtonElement>('[data-action="start"]')!;
    const warm = () => void import('./workspace.ts').then((w) => w.prefetch(this.data.treeUrl)).catch(() => {});
    start.addEventListener('pointerenter', warm, { once: true });
    start.addEventListener('focus', warm, { once: true });
    const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 200));
    idle(() => this.mountStuck('none'));
    // A learner in a workshop: its banner (their hand, the instructor's messages) over the lab.
    if (joinedWorkshop()) void import('../../workshops/learner-banner.ts').then((m) => m.mountLearnerBanner(this)).catch(() => {});
    const want = new URLSearchParams(location.search).get('runtime');
    let restart = false;
    try {
      restart = sessionStorage.getItem(AUTOSTART_KEY) === this.data.id;
      if (restart) sessionStorage.removeItem(AUTOSTART_KEY);
    } catch {
      /* no storage */
    }
    if (want === 'recorded' || restart) void this.start(restart ? 'The lab was reset to its starter files.' : '');
  }

  private mountStuck(runtime: string) {
    const slots = this.data.steps.map((s) => ({ el: this.step(s.id).querySelector<HTMLElement>('[data-stuck]')!, step: s.id }));
    this.stuck = mountStuck(this.data.id, runtime, slots).catch(() => new Map<string, StuckHandle>());
  }

  step(id: string): HTMLElement {
    return this.querySelector(`[data-step="${CSS.escape(id)}"]`)!;
  }

  /** Marks done steps from localStorage; returns the count. */
  renderProgress(): number {
    const { done } = loadProgress(this.data.id);
    for (const s of this.data.steps) {
      const el = this.step(s.id);
      const isDone = done.includes(s.id);
      el.classList.toggle('is-done', isDone);
      el.querySelector<HTMLElement>('[data-done-mark]')!.hidden = !isDone;
    }
    const count = this.data.steps.filter((s) => done.includes(s.id)).length;
    this.querySelector('[data-progress]')!.textContent = `${count} of ${this.data.steps.length} steps done`;
    return count;
  }

  announce(text: string) {
    const status = this.querySelector('[data-status]')!;
    status.textContent = '';
    requestAnimationFrame(() => (status.textContent = text));
  }

  private onClick(e: Event) {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button || !this.contains(button)) return;
    const action = button.dataset.action!;
    const stepEl = button.closest<HTMLElement>('[data-step]');
    const stepId = stepEl?.dataset.step;
    if (action === 'start') return void this.start('');
    if (action === 'hint' && stepEl && stepId) return this.showHint(button, stepEl, stepId);
    if (action === 'show-solution' && stepEl && stepId) return void this.toggleSolution(button, stepEl, stepId);
  }

  private showHint(button: HTMLButtonElement, stepEl: HTMLElement, stepId: string) {
    const hidden = [...stepEl.querySelectorAll<HTMLElement>('[data-hints] > li[hidden]')];
    const next = hidden[0];
    if (next) {
      next.hidden = false;
      const progress = loadProgress(this.data.id);
      progress.hints[stepId] = (progress.hints[stepId] ?? 0) + 1;
      saveProgress(this.data.id, progress);
      this.dispatchEvent(new CustomEvent('lab-hint', { detail: { step: stepId } }));
      this.announce(`Hint ${progress.hints[stepId]} shown`);
    }
    button.setAttribute('aria-expanded', 'true');
    if (hidden.length <= 1) button.disabled = true;
  }

  /** Shows the solution: commands as text, files as a diff against the learner's current file (read-only). */
  async toggleSolution(button: HTMLButtonElement, stepEl: HTMLElement, stepId: string, confirmSolve = false) {
    const box = stepEl.querySelector<HTMLElement>('[data-solution]')!;
    const opening = box.hidden || confirmSolve;
    box.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    button.textContent = opening ? 'Hide solution' : 'Show solution';
    if (!opening) return;
    this.dispatchEvent(new CustomEvent('lab-solution', { detail: { step: stepId } }));
    const step = this.data.steps.find((s) => s.id === stepId)!;
    if (!step.solution.files.length) return;
    // A diff shown earlier (before Start, or before the learner's last edit) is stale: clear it now,
    // not after the view's code loads, so the learner never compares against the wrong file.
    const container = box.querySelector<HTMLElement>('[data-solution-files]')!;
    container.replaceChildren(h('p', {}, 'Loading the solution…'));
    const { renderSolution } = await import('./solution-view.ts');
    await renderSolution(this, container, stepId, confirmSolve);
  }

  private async start(note: string) {
    if (this.started) return;
    this.started = true;
    labMark('start');
    const button = this.querySelector<HTMLButtonElement>('[data-action="start"]')!;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = 'Starting…';
    this.announce(note ? `${note} Starting the lab…` : 'Starting the lab…');
    const { startWorkspace } = await import('./workspace.ts');
    labMark('workspace-loaded');
    await startWorkspace(this);
  }
}

if (!customElements.get('onramp-lab')) customElements.define('onramp-lab', OnrampLab);
