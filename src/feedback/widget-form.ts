/**
 * The part of "Was this page helpful?" loaded on first interaction: records the vote, asks for a
 * reason, a comment and (optionally) the quoted selection, and lets the reader change or withdraw
 * their answer. Each change is a new item that `replaces` the previous one; a withdrawal is one
 * with `withdrawn: true`. The page keeps the current answer in localStorage.
 */
import { LIMITS, NO_REASONS, REASON_LABELS, YES_REASONS, type FeedbackReason } from '../shared/feedback-ids.ts';
import { sendFeedback, trackingAllowed } from './client.ts';
import { PRIVACY_NOTE, commentBox, h, reasonsFieldset, uid } from './form.ts';

export interface Vote {
  id: string;
  helpful: boolean;
  reason?: FeedbackReason;
  comment?: string;
}

const voteKey = (page: string) => `onramp:vote:${page}`;

export function savedVote(page: string): Vote | null {
  try {
    const v = JSON.parse(localStorage.getItem(voteKey(page)) ?? 'null') as Vote | null;
    return v && typeof v.id === 'string' && typeof v.helpful === 'boolean' ? v : null;
  } catch {
    return null;
  }
}

function saveVote(page: string, vote: Vote | null): void {
  try {
    if (vote) localStorage.setItem(voteKey(page), JSON.stringify(vote));
    else localStorage.removeItem(voteKey(page));
  } catch {
    /* not remembered across pages; still sent */
  }
}

interface Parts {
  host: HTMLElement;
  page: string;
  yes: HTMLButtonElement;
  no: HTMLButtonElement;
  details: HTMLElement;
  status: HTMLElement;
}

function parts(host: HTMLElement): Parts {
  return {
    host,
    page: host.dataset.page || location.pathname,
    yes: host.querySelector<HTMLButtonElement>('[data-vote="yes"]')!,
    no: host.querySelector<HTMLButtonElement>('[data-vote="no"]')!,
    details: host.querySelector<HTMLElement>('[data-details]')!,
    status: host.querySelector<HTMLElement>('[data-status]')!,
  };
}

function announce(p: Parts, text: string): void {
  // Clear first so the same message is announced again.
  p.status.textContent = '';
  setTimeout(() => (p.status.textContent = text), 50);
}

function pressed(p: Parts, vote: Vote | null): void {
  p.yes.setAttribute('aria-pressed', String(vote?.helpful === true));
  p.no.setAttribute('aria-pressed', String(vote?.helpful === false));
}

function deliveryNote(p: Parts, delivered: Promise<boolean>, sentText: string): void {
  let settled = false;
  void delivered.then((ok) => {
    settled = true;
    announce(p, ok ? sentText : 'The service refused this feedback as malformed; please tell the platform team.');
  });
  setTimeout(() => {
    if (!settled) announce(p, 'Saved in this browser. It will be sent when the connection is back, even if you leave this page.');
  }, navigator.onLine ? 2500 : 0);
}

/** Shows what the reader answered, with Change and Withdraw. */
function showSummary(p: Parts, vote: Vote, focus: boolean): void {
  const text = `You said this page ${vote.helpful ? 'was' : 'was not'} helpful${vote.reason ? ` (${REASON_LABELS[vote.reason]})` : ''}.`;
  const summary = h('p', { class: 'onramp-fb-summary', tabindex: '-1', text });
  const change = h('button', { type: 'button', class: 'onramp-fb-link', text: 'Change your answer' });
  const withdraw = h('button', { type: 'button', class: 'onramp-fb-link', text: 'Withdraw your answer' });
  change.addEventListener('click', () => showForm(p, vote));
  withdraw.addEventListener('click', () => {
    const sent = sendFeedback({ page: p.page, helpful: vote.helpful, withdrawn: true, replaces: vote.id });
    saveVote(p.page, null);
    pressed(p, null);
    p.details.replaceChildren();
    p.details.hidden = true;
    deliveryNote(p, sent.delivered, 'Your answer was withdrawn.');
    p.yes.focus();
  });
  p.details.replaceChildren(summary, h('div', { class: 'onramp-fb-actions' }, change, withdraw));
  p.details.hidden = false;
  if (focus) summary.focus();
}

/** The reason / comment / quote form for the current vote. */
function showForm(p: Parts, vote: Vote): void {
  const reasons = reasonsFieldset(vote.helpful ? 'What made it helpful?' : 'What went wrong?', vote.helpful ? YES_REASONS : NO_REASONS, vote.reason);
  const comment = commentBox(vote.helpful ? 'Anything else? (optional)' : 'What were you trying to do? (optional)', LIMITS.comment, vote.comment ?? '');
  const quote = (p.host as HTMLElement & { onrampQuote?: string }).onrampQuote ?? '';
  const quoteBox = h('input', { type: 'checkbox', id: uid('quote'), checked: true });
  const quoteField = quote
    ? h('div', { class: 'onramp-fb-quote' }, quoteBox, h('label', { for: quoteBox.id, text: 'Include the text you selected:' }), h('blockquote', { text: quote }))
    : null;
  const error = h('p', { class: 'onramp-fb-error', role: 'alert' });
  const send = h('button', { type: 'submit', class: 'onramp-fb-primary', text: 'Send feedback' });
  const skip = h('button', { type: 'button', class: 'onramp-fb-link', text: 'Skip' });
  const form = h(
    'form',
    { class: 'onramp-fb-form', 'aria-label': 'Tell us more' },
    reasons.fieldset,
    comment.wrap,
    quoteField,
    trackingAllowed() ? null : h('p', { class: 'onramp-fb-privacy', text: PRIVACY_NOTE }),
    error,
    h('div', { class: 'onramp-fb-actions' }, send, skip),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!comment.valid()) {
      error.textContent = `Your comment is longer than ${LIMITS.comment} characters; please shorten it.`;
      comment.textarea.focus();
      return;
    }
    const text = comment.value();
    const item = {
      page: p.page,
      helpful: vote.helpful,
      replaces: vote.id,
      ...(reasons.value() ? { reason: reasons.value() } : {}),
      ...(text ? { comment: text } : {}),
      ...(quote && quoteBox.checked ? { quote: [...quote].slice(0, LIMITS.quote).join('') } : {}),
    };
    const sent = sendFeedback(item);
    const next: Vote = { id: sent.id, helpful: vote.helpful, reason: item.reason, comment: text || undefined };
    saveVote(p.page, next);
    showSummary(p, next, true);
    deliveryNote(p, sent.delivered, 'Thank you. Your feedback was sent to the platform team.');
  });
  skip.addEventListener('click', () => showSummary(p, vote, true));
  p.details.replaceChildren(form);
  p.details.hidden = false;
  (form.querySelector<HTMLInputElement>('input[type="radio"]:checked') ?? form.querySelector<HTMLInputElement>('input[type="radio"]'))?.focus();
}

/** Called by the light element on a Yes/No click (and to restore a saved answer). */
export function vote(host: HTMLElement, helpful: boolean): void {
  const p = parts(host);
  const previous = savedVote(p.page);
  if (previous && previous.helpful === helpful) {
    showForm(p, previous);
    return;
  }
  const sent = sendFeedback({ page: p.page, helpful, ...(previous ? { replaces: previous.id } : {}) });
  const current: Vote = { id: sent.id, helpful };
  saveVote(p.page, current);
  pressed(p, current);
  deliveryNote(p, sent.delivered, helpful ? 'Thanks! Your answer was recorded. Tell us more below if you like.' : 'Thanks. Your answer was recorded. Tell us what went wrong below.');
  showForm(p, current);
}

/** Restores the summary of an earlier answer on this page. */
export function restore(host: HTMLElement): void {
  const p = parts(host);
  const saved = savedVote(p.page);
  if (!saved) return;
  pressed(p, saved);
  showSummary(p, saved, false);
}
