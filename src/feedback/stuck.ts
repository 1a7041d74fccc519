/**
 * "I'm stuck" for one lab step. The lab UI mounts one per step:
 *
 *   import { mountStuck } from '../feedback/stuck.ts';
 *   import { lastLines } from '../shared/check-output.ts';
 *   const stuck = mountStuck(container, { lab: 'pkl-to-endpoint', step: 'deploy', runtime: 'webcontainer' });
 *   stuck.update({ lastCheck: 'failed', checkOutput: lastLines(output) });  // after a failed check
 *   stuck.update({ lastCheck: 'passed' });      // after a passed check (drops the output)
 *   stuck.update({ step: 'predict' });          // when the learner moves on (resets the step timer, drops the output)
 *
 * or writes <onramp-stuck lab="…" step="…" runtime="…"></onramp-stuck> and sets the same
 * properties. The element also follows the lab's events (step_started, check_passed, check_failed
 * sent through client.ts for the same lab and step) to keep its timer and last check current.
 *
 * `checkOutput` is the failed check's output: pass lastLines(output) (check-output.ts: escape
 * sequences and control characters removed, the last 12 lines, at most LIMITS.checkOutput
 * characters); whatever is given is cut to that many characters, so a report is never refused
 * for it. `update({ checkOutput: '' })` clears it; so do a passed check (`lastCheck: 'passed'`,
 * or a check_passed event) and a new step. While it is set, the form shows the learner exactly
 * what will be sent ("The last check's output (sent with your report)").
 *
 * A report is feedback (kind "stuck": sent even with Do Not Track on, because the
 * learner chose to send it) carrying lab, step, seconds on the step, the last check result, the
 * runtime and the check output; when tracking is allowed a `stuck` event also goes to the lab's
 * event stream so the workshop board sees it with the session (with the check output only while
 * the event's data stays within LIMITS.data; the feedback item always has it).
 */
import { LIMITS, STUCK_REASONS, type StuckContext } from '../shared/feedback-ids.ts';
import { LAB_EVENT, labEvents, personaId, sendFeedback, trackingAllowed, workshopCode } from './client.ts';
import { STUCK_EVENT } from '../workshops/participant-store.ts';
import { PRIVACY_NOTE, commentBox, h, reasonsFieldset, uid } from './form.ts';
import { nextStuckState, stuckContext, stuckEventData, type StuckState } from './stuck-state.ts';

export interface StuckOptions {
  lab: string;
  step: string;
  runtime?: string;
  lastCheck?: StuckContext['lastCheck'];
  /** The failed check's output (lastLines() of it); '' clears it. */
  checkOutput?: string;
  /** When the learner started this step (ms); defaults to when it was mounted or the step changed. */
  stepStartedAt?: number;
}

const OUTPUT_LABEL = "The last check's output (sent with your report)";

export class OnrampStuck extends HTMLElement {
  lab = '';
  step = '';
  runtime?: string;
  lastCheck: StuckContext['lastCheck'] = 'none';
  stepStartedAt = Date.now();
  private output?: string;
  private toggle?: HTMLButtonElement;
  private panel?: HTMLElement;
  private status?: HTMLElement;
  private outputSlot?: HTMLElement;

  /** The failed check's output a report carries now; setting it works as update({ checkOutput }). */
  get checkOutput(): string | undefined {
    return this.output;
  }

  set checkOutput(value: string | undefined) {
    this.update({ checkOutput: value ?? '' });
  }

  static get observedAttributes(): string[] {
    return ['lab', 'step', 'runtime'];
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'step' && old !== value) this.update({ step: value ?? '' });
    if (name === 'lab') this.lab = value ?? '';
    if (name === 'runtime') this.runtime = value ?? undefined;
  }

  private state(): StuckState {
    return { lab: this.lab, step: this.step, runtime: this.runtime, lastCheck: this.lastCheck ?? 'none', checkOutput: this.output, stepStartedAt: this.stepStartedAt };
  }

  /**
   * Updates what a report carries (rules in stuck-state.ts): a new step resets the step timer,
   * closes the form and drops the check output; a passed check drops it too.
   */
  update(next: Partial<StuckOptions>): void {
    const before = this.state();
    const after = nextStuckState(before, next, Date.now());
    ({ lab: this.lab, step: this.step, runtime: this.runtime, lastCheck: this.lastCheck, checkOutput: this.output, stepStartedAt: this.stepStartedAt } = after);
    if (after.step !== before.step) this.close();
    else if (after.checkOutput !== before.checkOutput) this.renderOutput();
  }

  /** The context a report carries right now. */
  context(): StuckContext {
    return stuckContext(this.state(), Date.now());
  }

  /** Follows the lab through the events client: the step timer and the last check set themselves. */
  private readonly follow = (e: Event): void => {
    const { type, lab, step } = (e as CustomEvent<{ type: string; lab?: string; step?: string }>).detail ?? {};
    if (lab !== this.lab || step !== this.step) return;
    if (type === 'step_started') this.stepStartedAt = Date.now();
    if (type === 'check_passed') this.update({ lastCheck: 'passed' });
    if (type === 'check_failed') this.update({ lastCheck: 'failed' });
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
    this.outputSlot = h('div', { class: 'onramp-stuck-output' });
    this.renderOutput();
    const form = h(
      'form',
      { class: 'onramp-fb-form', 'aria-label': "I'm stuck" },
      reasons.fieldset,
      comment.wrap,
      this.outputSlot,
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

  /** Shows the learner the check output a report would send (read-only, text only), or nothing. */
  private renderOutput(): void {
    const slot = this.outputSlot;
    if (!slot) return;
    const text = this.output;
    slot.hidden = !text;
    if (!text) {
      slot.replaceChildren();
      return;
    }
    // Focusable and named, so keyboard users can scroll it when it overflows; text, never HTML.
    const pre = h('pre', { tabindex: '0', 'aria-label': OUTPUT_LABEL });
    pre.textContent = text;
    slot.replaceChildren(h('p', { class: 'onramp-stuck-output-label', text: OUTPUT_LABEL }), pre);
  }

  close(focusToggle = false): void {
    if (!this.panel || !this.toggle) return;
    this.panel.hidden = true;
    this.panel.replaceChildren();
    this.outputSlot = undefined;
    this.toggle.setAttribute('aria-expanded', 'false');
    if (focusToggle) this.toggle.focus();
  }

  /** Sends a report; returns its feedback id. */
  report(reason: (typeof STUCK_REASONS)[number], comment = ''): string {
    const context = this.context();
    const { checkOutput, ...brief } = context;
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
    const persona = personaId();
    labEvents(this.lab).stuck(this.step, stuckEventData({ reason, feedback: sent.id, ...brief }, checkOutput, persona ? { persona } : {}));
    this.close(true);
    // In a workshop, the same report raises the learner's hand on the instructor's board.
    const inWorkshop = workshopCode() !== undefined;
    if (inWorkshop) document.dispatchEvent(new CustomEvent(STUCK_EVENT, { detail: { lab: this.lab, step: this.step, ...(comment ? { note: comment } : {}), ...(checkOutput ? { checkOutput } : {}) } }));
    if (this.status) {
      this.status.textContent = inWorkshop
        ? 'Thanks. Your hand is raised on the instructor\'s board, and the platform team sees where you are stuck.'
        : 'Thanks. The platform team sees where you are stuck. Meanwhile, the hint or the solution for this step may help.';
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
