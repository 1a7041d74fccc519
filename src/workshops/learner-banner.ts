/**
 * The workshop banner over a lab, for a learner who joined one: which workshop, as whom, their
 * raised hand, and the instructor's messages (acknowledgements, broadcasts, extension, end) in a
 * polite live region; `ended` (a workshop over, leaving the service's memory) stops it too. It follows /api/workshops/<code>/me/stream, remembering the last message
 * seen so a reload or a dropped connection shows each message once. "I'm stuck" in a workshop
 * raises a hand (the `onramp:workshop-stuck` event from src/feedback/stuck.ts).
 */
import { API_BASE } from '../feedback/client.ts';
import { h } from '../feedback/form.ts';
import type { Hand } from '../shared/workshop.ts';
import { forgetWorkshop, joinedWorkshop, rememberWorkshop, STUCK_EVENT, type JoinedWorkshop } from './participant-store.ts';
import { openStream } from './stream.ts';

export function mountLearnerBanner(host: HTMLElement): void {
  const joined = joinedWorkshop();
  if (!joined || host.querySelector('.onramp-ws-banner')) return;
  let me: JoinedWorkshop = joined;
  const handText = h('span');
  const lower = h('button', { type: 'button', text: 'Lower my hand', hidden: true });
  const leave = h('button', { type: 'button', text: 'Leave the workshop' });
  const messages = h('div', { class: 'onramp-ws-messages', role: 'status', 'aria-live': 'polite' });
  const banner = h(
    'section',
    { class: 'onramp-ws-banner', 'aria-label': 'Workshop' },
    h('div', { class: 'onramp-ws-banner-row' }, h('span', { text: `Workshop “${me.title}” (${me.code}): you are ${me.name}. The instructor sees your progress.` }), handText, lower, leave),
    messages,
  );
  host.prepend(banner);

  const say = (text: string) => {
    const p = h('p', { text });
    messages.append(p);
    while (messages.childElementCount > 3) messages.firstElementChild!.remove();
  };
  const showHand = (hand: Hand | null) => {
    handText.textContent = hand ? (hand.ackedAt === null ? 'Your hand is raised.' : 'Your hand is raised; help is coming.') : '';
    lower.hidden = !hand;
  };
  const auth = () => ({ Authorization: `Bearer ${me.token}` });
  const stop = (text: string) => {
    stream.close();
    forgetWorkshop();
    showHand(null);
    leave.hidden = true;
    say(text);
  };

  const stream = openStream({
    path: `/api/workshops/${me.code}/me/stream`,
    token: () => me.token,
    lastId: me.lastSeq ?? null,
    onEvent: (e) => {
      const data = e.data as { text?: string; endsAt?: string; hand?: Hand | null; workshop?: { ended: boolean } };
      if (e.id) {
        me = { ...me, lastSeq: e.id };
        rememberWorkshop(me);
      }
      if (e.event === 'state') {
        showHand(data.hand ?? null);
        if (data.workshop?.ended) stop('This workshop has ended. Your work stays in this browser.');
      } else if (e.event === 'ack') {
        say('Help is coming: the instructor saw your raised hand.');
        handText.textContent = 'Your hand is raised; help is coming.';
      } else if (e.event === 'broadcast' && data.text) say(`From the instructor: ${data.text}`);
      else if (e.event === 'extend' && data.endsAt) say(`The workshop now ends at ${new Date(data.endsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`);
      else if (e.event === 'end') stop('The instructor ended the workshop. Thank you! Your work stays in this browser.');
      // The service's last word on a workshop that is over (it closes the stream after it).
      else if (e.event === 'ended') stop('This workshop has ended. Your work stays in this browser.');
    },
    onState: (state, status) => {
      if (state === 'refused' && (status === 401 || status === 404)) stop('You are no longer in this workshop (it was removed, or its names were deleted).');
    },
  });

  leave.addEventListener('click', () => stop('You left the workshop. Your progress is no longer shared.'));
  lower.addEventListener('click', async () => {
    const res = await fetch(`${API_BASE}/api/workshops/${me.code}/hand`, { method: 'DELETE', headers: auth(), credentials: 'omit' }).catch(() => null);
    if (res?.ok) {
      showHand(null);
      say('Your hand is lowered.');
    }
  });
  document.addEventListener(STUCK_EVENT, async (ev) => {
    const { lab, step, note, checkOutput } = (ev as CustomEvent<{ lab: string; step: string; note?: string; checkOutput?: string }>).detail;
    const key = `${lab}/${step}`;
    const inWorkshop = me.steps.some((s) => `${s.lab}/${s.step}` === key);
    const res = await fetch(`${API_BASE}/api/workshops/${me.code}/hand`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...(inWorkshop ? { step: key } : {}), ...(note ? { note } : {}), ...(checkOutput ? { checkOutput } : {}) }),
      credentials: 'omit',
    }).catch(() => null);
    if (res?.ok) {
      const { hand } = (await res.json()) as { hand: Hand };
      showHand(hand);
      say('Your hand is raised: the instructor sees it on the board.');
    } else say('Your hand could not be raised; the report still went to the platform team.');
  });
}
