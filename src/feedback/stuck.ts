/**
 * "I'm stuck" for one lab step. The lab UI mounts one per step:
 *
 *   import { mountStuck } from '../feedback/stuck.ts';
 *   const stuck = mountStuck(container, { lab: 'pkl-to-endpoint', step: 'deploy', runtime: 'webcontainer' });
 *   stuck.update({ lastCheck: 'failed' });      // after each check
 *   stuck.update({ step: 'predict' });          // when the learner moves on (resets the step timer)
 *
 * or writes <onramp-stuck lab="…" step="…" runtime="…"></onramp-stuck> and sets the same
 * properties. The element also follows the lab's events (step_started, check_passed, check_failed
 * sent through client.ts for the same lab and step) to keep its timer and last check current.
 * A report is feedback (kind "stuck": sent even with Do Not Track on, because the
 * learner chose to send it) carrying lab, step, seconds on the step, the last check result and the
 * runtime; when tracking is allowed a `stuck` event also goes to the lab's event stream so the
 * workshop board sees it with the session.
 */
import { LIMITS, STUCK_REASONS, type StuckContext } from '../shared/feedback-ids.ts';
import { LAB_EVENT, labEvents, sendFeedback, trackingAllowed } from './client.ts';
import { PRIVACY_NOTE, commentBox, h, reasonsFieldset, uid } from './form.ts';

export interface StuckOptions {
  lab: string;
  step: string;
  runtime?: string;
  lastCheck?: StuckContext['lastCheck'];
  /** When the learner started this step (ms); defaults to when it was mounted or the step changed. */
  stepStartedAt?: number;
}

export class OnrampStuck extends HTMLElement {
  lab = '';
  step = '';
  runtime?: string;
  lastCheck: StuckContext['lastCheck'] = 'none';
  stepStartedAt = Date.now();
  private toggle?: HTMLButtonElement;
  private panel?: HTMLElement;
  private status?: HTMLElement;

  static get observedAttributes(): string[] {
    return ['lab', 'step', 'runtime'];
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'step' && old !== value) this.stepStartedAt = Date.now();
    if (name === 'lab' || name === 'step') this[name] = value ?? '';
    if (name === 'runtime') this.runtime = value ?? undefined;
  }

  /** Updates what a report carries; a new step resets the step timer. */
  update(next: Partial<StuckOptions>): void {
    if (next.step !== undefined && next.step !== this.step) {
      this.step = next.step;
      this.stepStartedAt = next.stepStartedAt ?? Date.now();
      this.close();
    } else if (next.stepStartedAt !== undefined) this.stepStartedAt = next.stepStartedAt;
    if (next.lab !== undefined) this.lab = next.lab;
    if (next.runtime !== undefined) this.runtime = next.runtime;
    if (next.lastCheck !== undefined) this.lastCheck = next.lastCheck;
  }

  /** The context a report carries right now. */
  context(): StuckContext {
    const ctx: StuckContext = { stepSeconds: Math.max(0, Math.round((Date.now() - this.stepStartedAt) / 1000)), lastCheck: this.lastCheck ?? 'none' };
    if (this.runtime && /^[a-z0-9-]{1,32}$/.test(this.runtime)) ctx.runtime = this.runtime;
    return ctx;
  }

  /** Follows the lab through the events client: the step timer and the last check set themselves. */
  private readonly follow = (e: Event): void => {
    const { type, lab, step } = (e as CustomEvent<{ type: string; lab?: string; step?: string }>).detail ?? {};
    if (lab !== this.lab || step !== this.step) return;
    if (type === 'step_started') this.stepStartedAt = Date.now();
    if (type === 'check_passed') this.lastCheck = 'passed';
    if (type === 'check_failed') this.lastCheck = 'failed';
  };

  disconnectedCallback(): void {
    document.removeEventListener(LAB_EVENT, this.follow);
  }

  connectedCallback(): void {
    document.addEventListener(LAB_EVENT, this.follow);
    if (this.toggle) return;
    this.classList.add('onramp-stuck');
    const panelId = uid('stuck');
    this.toggle = h('button', { type: 'button', class: 'onramp-fb-link onramp-stuck-toggle', 'aria-expanded': 'false', 'aria-controls': panelId, text: "I'm stuck" });
    this.panel = h('div', { id: panelId, hidden: true });
    this.status = h('p', { class: 'onramp-fb-status', role: 'status', 'aria-live': 'polite' });
    this.toggle.addEventListener('click', () => (this.panel!.hidden ? this.open() : this.close(true)));
    this.append(this.toggle, this.panel, this.status);
  }

  open(): void {
    if (!this.panel || !this.toggle) return;
    const reasons = reasonsFieldset('What is happening?', STUCK_REASONS);
    const comment = commentBox('What did you try? Paste the error if there is one (optional)', LIMITS.comment);
    const error = h('p', { class: 'onramp-fb-error', role: 'alert' });
    const send = h('button', { type: 'submit', class: 'onramp-fb-primary', text: 'Send to the platform team' });
    const cancel = h('button', { type: 'button', class: 'onramp-fb-link', text: 'Cancel' });
    const form = h(
      'form',
      { class: 'onramp-fb-form', 'aria-label': "I'm stuck" },
      reasons.fieldset,
      comment.wrap,
      trackingAllowed() ? null : h('p', { class: 'onramp-fb-privacy', text: PRIVACY_NOTE }),
      error,
      h('div', { class: 'onramp-fb-actions' }, send, cancel),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const reason = reasons.value();
      if (!reason) {
        error.textContent = 'Choose what is happening, so the team knows where to look.';
        reasons.fieldset.querySelector<HTMLInputElement>('input')?.focus();
        return;
      }
      if (!comment.valid()) {
        error.textContent = `Your note is longer than ${LIMITS.comment} characters; please shorten it.`;
        comment.textarea.focus();
        return;
      }
      this.report(reason as (typeof STUCK_REASONS)[number], comment.value());
    });
    cancel.addEventListener('click', () => this.close(true));
    this.panel.replaceChildren(form);
    this.panel.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    form.querySelector<HTMLInputElement>('input')?.focus();
  }

  close(focusToggle = false): void {
    if (!this.panel || !this.toggle) return;
    this.panel.hidden = true;
    this.panel.replaceChildren();
    this.toggle.setAttribute('aria-expanded', 'false');
    if (focusToggle) this.toggle.focus();
  }

  /** Sends a report; returns its feedback id. */
  report(reason: (typeof STUCK_REASONS)[number], comment = ''): string {
    const context = this.context();
    const sent = sendFeedback({
      page: location.pathname,
      helpful: false,
      kind: 'stuck',
      reason,
      lab: this.lab,
      step: this.step,
      context,
      ...(comment ? { comment } : {}),
    });
    labEvents(this.lab).stuck(this.step, { reason, feedback: sent.id, ...context });
    this.close(true);
    if (this.status) {
      this.status.textContent = 'Thanks. The platform team sees where you are stuck. Meanwhile, the hint or the solution for this step may help.';
      void sent.delivered.then((ok) => {
        if (!ok && this.status) this.status.textContent = 'The service refused the report; please tell the platform team directly.';
      });
    }
    return sent.id;
  }
}

if (!customElements.get('onramp-stuck')) customElements.define('onramp-stuck', OnrampStuck);

/** Mounts "I'm stuck" for a step inside `container` and returns the element to update. */
export function mountStuck(container: HTMLElement, options: StuckOptions): OnrampStuck {
  const el = document.createElement('onramp-stuck') as OnrampStuck;
  el.update(options);
  el.stepStartedAt = options.stepStartedAt ?? Date.now();
  container.append(el);
  return el;
}
