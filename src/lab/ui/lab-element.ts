/**
 * `<onramp-lab>`: the part of a lab that loads with the page. It shows saved progress, reveals
 * hints and solutions, and on Start loads the workspace (runtime, terminal, editor, preview) with
 * a dynamic import, so a lab page costs little until the learner starts.
 */
import { loadProgress, saveProgress } from './progress.ts';
import type { LabClientData } from '../../shared/lab-schema.ts';

export class OnrampLab extends HTMLElement {
  data!: LabClientData;
  private started = false;

  connectedCallback() {
    if (this.data) return;
    this.data = JSON.parse(this.querySelector('[data-lab-data]')!.textContent!) as LabClientData;
    this.renderProgress();
    this.addEventListener('click', (e) => this.onClick(e));
    // Intent to start (pointer over or focus on Start): fetch the workspace's code ahead of the click.
    const start = this.querySelector<HTMLButtonElement>('[data-action="start"]')!;
    const warm = () => void import('./workspace.ts').then((w) => w.prefetch()).catch(() => {});
    start.addEventListener('pointerenter', warm, { once: true });
    start.addEventListener('focus', warm, { once: true });
    const want = new URLSearchParams(location.search).get('runtime');
    let restart = false;
    try {
      restart = sessionStorage.getItem('onramp:lab-autostart') === this.data.id;
      if (restart) sessionStorage.removeItem('onramp:lab-autostart');
    } catch {
      /* no storage */
    }
    if (want === 'recorded' || restart) void this.start();
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
    if (action === 'start') return void this.start();
    if (action === 'hint' && stepEl && stepId) {
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
      return;
    }
    if (action === 'show-solution' && stepEl && stepId) {
      const box = stepEl.querySelector<HTMLElement>('[data-solution]')!;
      box.hidden = !box.hidden;
      button.setAttribute('aria-expanded', String(!box.hidden));
      button.textContent = box.hidden ? 'Show solution' : 'Hide solution';
      if (!box.hidden) this.dispatchEvent(new CustomEvent('lab-solution', { detail: { step: stepId } }));
    }
  }

  private async start() {
    if (this.started) return;
    this.started = true;
    const button = this.querySelector<HTMLButtonElement>('[data-action="start"]')!;
    button.disabled = true;
    button.textContent = 'Starting…';
    const { startWorkspace } = await import('./workspace.ts');
    await startWorkspace(this);
  }
}

if (!customElements.get('onramp-lab')) customElements.define('onramp-lab', OnrampLab);
