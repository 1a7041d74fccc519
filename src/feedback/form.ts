/**
 * Small DOM helpers shared by the page widget and "I'm stuck": elements built with textContent
 * only (reader text is never parsed as HTML), a reasons fieldset, and a comment box with a live
 * character count.
 */
import { REASON_LABELS, charCount, type FeedbackReason } from '../shared/feedback-ids.ts';

let counter = 0;
export const uid = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 7)}`;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string | boolean | undefined> = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

export function reasonsFieldset(legend: string, reasons: readonly FeedbackReason[], selected?: string): { fieldset: HTMLFieldSetElement; value: () => FeedbackReason | undefined } {
  const name = uid('reason');
  const fieldset = h('fieldset', { class: 'onramp-fb-reasons' }, h('legend', { text: legend }));
  for (const reason of reasons) {
    const id = uid('r');
    const input = h('input', { type: 'radio', name, id, value: reason, checked: reason === selected });
    fieldset.append(h('div', { class: 'onramp-fb-choice' }, input, h('label', { for: id, text: REASON_LABELS[reason] })));
  }
  return {
    fieldset,
    value: () => (fieldset.querySelector<HTMLInputElement>('input:checked')?.value as FeedbackReason | undefined) ?? undefined,
  };
}

export function commentBox(label: string, limit: number, initial = ''): { wrap: HTMLDivElement; textarea: HTMLTextAreaElement; value: () => string; valid: () => boolean } {
  const id = uid('comment');
  const countId = uid('count');
  const textarea = h('textarea', { id, rows: '4', 'aria-describedby': countId });
  textarea.value = initial;
  const count = h('p', { id: countId, class: 'onramp-fb-count' });
  const update = () => {
    const n = charCount(textarea.value);
    count.textContent = n > limit ? `${n - limit} characters over the limit of ${limit}` : `${n} of ${limit} characters`;
    count.classList.toggle('over', n > limit);
    if (n > limit) textarea.setAttribute('aria-invalid', 'true');
    else textarea.removeAttribute('aria-invalid');
  };
  textarea.addEventListener('input', update);
  update();
  const wrap = h('div', { class: 'onramp-fb-comment' }, h('label', { for: id, text: label }), textarea, count);
  return { wrap, textarea, value: () => textarea.value.trim(), valid: () => charCount(textarea.value.trim()) <= limit };
}

export const PRIVACY_NOTE = 'Do Not Track is on in this browser, so Onramp records none of your reading or lab activity. What you send here is still sent, because you chose to send it. No cookies, no name, no address is stored.';
