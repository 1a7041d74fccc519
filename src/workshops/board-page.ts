/**
 * The live board: follows /api/workshops/<code>/board/stream (whole board first, then the rows
 * that changed), sorts participants by who needs help most with the same rules as the service
 * (src/shared/workshop.ts), announces new raised hands in a polite live region, and offers the
 * instructor's actions: acknowledge, broadcast, extend, end, report. `ended` (a workshop over,
 * leaving the service's memory) stops following it and shows the report. Learner text goes through
 * textContent only.
 */
import { h } from '../feedback/form.ts';
import { sortBoard, type BoardRow, type StepStats } from '../shared/workshop.ts';
import { download, instructorApi, instructorToken, minutes, signInGate, Unauthorized } from './instructor.ts';
import { openStream } from './stream.ts';
import { qrSvg } from './qr.ts';

interface BoardPayload {
  id: string;
  full: boolean;
  serverNow: number;
  workshop: { code: string; title: string; endsAt: string; endedAt: string | null; ended: boolean; participants: number; steps: { lab: string; step: string }[] };
  stepKeys: string[];
  stats: StepStats[];
  rows: BoardRow[];
}

const root = document.getElementById('onramp-board')!;
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
const live = $('[data-live]');
const code = (/^\/workshops\/([^/]+)\/board\/?$/.exec(location.pathname)?.[1] ?? new URLSearchParams(location.search).get('code') ?? '').toUpperCase();

const rows = new Map<string, BoardRow>();
let stats: StepStats[] = [];
let workshop: BoardPayload['workshop'] | null = null;
let offset = 0;
let stream: { close(): void } | null = null;
const seenHands = new Set<string>();
let first = true;
let reportShown = false;

const serverNow = () => Date.now() + offset;
const stepLabel = (key: string | null) => {
  if (!key || !workshop) return '–';
  const i = workshop.steps.findIndex((s) => `${s.lab}/${s.step}` === key);
  const s = workshop.steps[i];
  const multiLab = new Set(workshop.steps.map((x) => x.lab)).size > 1;
  return s ? `${i + 1} of ${workshop.steps.length}: ${multiLab ? `${s.lab} / ` : ''}${s.step}` : key;
};
const ago = (t: number | null) => (t === null ? '–' : `${minutes(Math.max(0, serverNow() - t))} ago`);

function announce(text: string): void {
  live.textContent = '';
  requestAnimationFrame(() => (live.textContent = text));
}

const signOut = signInGate($<HTMLFormElement>('[data-signin]'), $('[data-app]'), connect);

function connect(): void {
  if (!/^[A-HJKMNP-Z2-9]{6}$/.test(code)) {
    announce('This address names no workshop. Open the board from the workshops page.');
    return;
  }
  $('[data-code]').textContent = code;
  const joinUrl = new URL(`/workshops/join/?code=${code}`, location.origin).href;
  const link = $<HTMLAnchorElement>('[data-join-url]');
  link.href = joinUrl;
  link.textContent = joinUrl;
  $('[data-qr]').replaceChildren(qrSvg(joinUrl, `QR code for ${joinUrl}`));
  stream?.close();
  stream = openStream({
    path: `/api/workshops/${code}/board/stream`,
    token: () => instructorToken.get(),
    onEvent: (e) => {
      if (e.event === 'board') apply(e.data as BoardPayload);
      else if (e.event === 'ended') ended(e.data as { workshop: BoardPayload['workshop'] });
    },
    onState: (state, status) => {
      const el = $('[data-connection]');
      if (state === 'open') el.textContent = 'Live';
      else if (state === 'reconnecting') {
        el.textContent = 'Reconnecting…';
        announce('Connection to the board lost; reconnecting.');
      } else if (status === 401 || status === 403) signOut('That token was not accepted.');
      else {
        el.textContent = 'Stopped';
        announce(status === 404 ? `There is no workshop with the code ${code}.` : `The board could not load (HTTP ${status}).`);
      }
    },
  });
}

/** The service's last word on a workshop that is over: the stream stops (no reconnecting) and the report shows. */
function ended(data: { workshop: BoardPayload['workshop'] }): void {
  stream?.close();
  stream = null;
  $('[data-connection]').textContent = 'Ended';
  workshop = data.workshop;
  render();
  announce('The workshop is over: the board no longer updates. The report is below.');
  if (!reportShown) void showReport();
}

function apply(p: BoardPayload): void {
  offset = p.serverNow - Date.now();
  if (p.full) rows.clear();
  for (const r of p.rows) rows.set(r.id, r);
  stats = p.stats;
  workshop = p.workshop;
  const raised: string[] = [];
  for (const r of p.rows) {
    if (r.hand && !seenHands.has(r.hand.id)) {
      seenHands.add(r.hand.id);
      if (!first && r.hand.ackedAt === null) raised.push(`${r.name} raised a hand${r.hand.step ? ` on step ${stepLabel(r.hand.step)}` : ''}.`);
    }
  }
  if (first) {
    $('[data-title]').textContent = p.workshop.title;
    document.title = `${p.workshop.title}: workshop board`;
    if (p.workshop.ended && !reportShown) void showReport();
  }
  first = false;
  render();
  if (raised.length) announce(raised.join(' '));
}

function render(): void {
  if (!workshop) return;
  $('[data-count]').textContent = String(rows.size);
  tick();
  for (const el of root.querySelectorAll<HTMLButtonElement>('[data-controls] button:not([data-signout]), [data-broadcast] input')) (el as HTMLButtonElement).disabled = workshop.ended;
  $('[data-steps]').replaceChildren(stepsTable());
  // Keep keyboard focus on the same control across a redraw.
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.focusKey : undefined;
  const people = $('[data-people]');
  people.replaceChildren(peopleTable());
  if (focused) (people.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`) ?? people.querySelector<HTMLElement>('[data-ack]') ?? $('#board-people-title'))?.focus();
}

function tick(): void {
  if (!workshop) return;
  const end = new Date(workshop.endedAt ?? workshop.endsAt);
  const left = end.getTime() - serverNow();
  $('[data-time]').textContent = workshop.ended ? `Ended at ${end.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : `Ends at ${end.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} (${Math.max(0, Math.round(left / 60_000))} min left)`;
  for (const cell of root.querySelectorAll<HTMLElement>('[data-since]')) cell.textContent = minutes(Math.max(0, serverNow() - Number(cell.dataset.since)));
  for (const cell of root.querySelectorAll<HTMLElement>('[data-ago]')) cell.textContent = ago(Number(cell.dataset.ago));
}
setInterval(tick, 5000);

function table(caption: string, head: string[], body: HTMLTableRowElement[]): HTMLTableElement {
  return h('table', { class: 'onramp-ws-table' }, h('caption', { text: caption }), h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col', text: t })))), h('tbody', {}, ...body));
}

function stepsTable(): HTMLElement {
  return table(
    'Per step: the funnel and time to pass',
    ['Step', 'Reached', 'Passed', 'On it now', 'Median time', 'p90 time', 'Failed checks', 'Raised hands'],
    stats.map((s) =>
      h('tr', {}, h('th', { scope: 'row', text: stepLabel(s.key) }), h('td', { text: String(s.reached) }), h('td', { text: String(s.passed) }), h('td', { text: String(s.current) }), h('td', { text: minutes(s.medianMs) }), h('td', { text: minutes(s.p90Ms) }), h('td', { text: String(s.failedChecks) }), h('td', { text: String(s.hands) })),
    ),
  );
}

function helpCell(r: BoardRow): HTMLTableCellElement {
  const cell = h('td');
  if (!r.hand) {
    cell.textContent = '–';
    return cell;
  }
  const hand = r.hand;
  cell.append(h('p', {}, hand.ackedAt === null ? 'Hand raised ' : 'Hand raised, acknowledged, ', h('span', { 'data-ago': String(hand.raisedAt), text: ago(hand.raisedAt) })));
  if (hand.note) cell.append(h('p', { class: 'onramp-ws-note', text: hand.note }));
  if (hand.checkOutput) {
    const pre = h('pre', { tabindex: '0', 'aria-label': `${r.name}'s last check output` });
    pre.textContent = hand.checkOutput;
    cell.append(h('details', {}, h('summary', { text: 'Check output' }), pre));
  }
  if (hand.ackedAt === null) {
    const button = h('button', { type: 'button', 'data-ack': hand.id, 'data-focus-key': `ack:${hand.id}`, 'aria-label': `Acknowledge ${r.name}'s raised hand`, text: 'Acknowledge' });
    button.addEventListener('click', () => void ack(button, hand.id, r.name));
    cell.append(button);
  }
  return cell;
}

function peopleTable(): HTMLElement {
  if (rows.size === 0) return h('p', { text: 'Nobody has joined yet. Share the code or the QR code.' });
  const now = serverNow();
  const sorted = sortBoard([...rows.values()], stats, now);
  return table(
    `${sorted.length} participants`,
    ['Name', 'Step', 'Time on step', 'Failed checks', 'Hints', 'Solutions', 'Help', 'Runtime', 'Last seen'],
    sorted.map((r) =>
      h(
        'tr',
        { class: r.hand && r.hand.ackedAt === null ? 'hand' : undefined },
        h('th', { scope: 'row', text: r.name }),
        h('td', { text: r.completed ? 'Done' : stepLabel(r.step) }),
        r.completed || r.stepStartedAt === null ? h('td', { text: '–' }) : h('td', { 'data-since': String(r.stepStartedAt), text: minutes(now - r.stepStartedAt) }),
        h('td', { text: String(r.failedChecks) }),
        h('td', { text: String(r.hints) }),
        h('td', { text: String(r.solutions) }),
        helpCell(r),
        h('td', { text: r.runtime ?? '–' }),
        r.lastSeen === null ? h('td', { text: 'not yet' }) : h('td', { 'data-ago': String(r.lastSeen), text: ago(r.lastSeen) }),
      ),
    ),
  );
}

async function act<T>(work: () => Promise<T>, failure: string): Promise<T | null> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof Unauthorized) signOut('That token was not accepted.');
    else announce(`${failure}: ${(e as Error).message}`);
    return null;
  }
}

async function ack(button: HTMLButtonElement, id: string, name: string): Promise<void> {
  button.disabled = true;
  const ok = await act(() => instructorApi(`/api/workshops/${code}/hands/${id}/ack`, { method: 'POST' }), 'Could not acknowledge');
  if (ok) announce(`${name} is told that help is coming.`);
  else button.disabled = false;
}

$<HTMLFormElement>('[data-broadcast]').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('#board-message');
  const text = input.value.trim();
  if (!text) return;
  if (await act(() => instructorApi(`/api/workshops/${code}/broadcast`, { method: 'POST', json: { text } }), 'Could not broadcast')) {
    input.value = '';
    announce('Message sent to every participant.');
  }
});
$('[data-extend]').addEventListener('click', async () => {
  if (await act(() => instructorApi(`/api/workshops/${code}/extend`, { method: 'POST', json: { minutes: 15 } }), 'Could not extend')) announce('The workshop runs 15 minutes longer.');
});
$('[data-end]').addEventListener('click', async () => {
  if (!confirm('End the workshop now? Participants are told, and nobody can join any more.')) return;
  if (await act(() => instructorApi(`/api/workshops/${code}/end`, { method: 'POST' }), 'Could not end the workshop')) {
    announce('The workshop has ended. The report is below.');
    await showReport();
  }
});
$('[data-signout]').addEventListener('click', () => {
  stream?.close();
  signOut('Signed out.');
});

interface Report {
  participants: number;
  completed: number;
  steps: { lab: string; step: string; reached: number; passed: number; completion: number | null; medianMinutes: number | null; p90Minutes: number | null; failedChecks: number; stuckReports: number; comments: { source: string; at: string; text: string | null; checkOutput: string | null }[] }[];
  mostFailedChecks: { lab: string; step: string; count: number }[];
  mostStuckReports: { lab: string; step: string; count: number }[];
}

async function showReport(): Promise<void> {
  reportShown = true;
  const res = await act(() => instructorApi(`/api/workshops/${code}/report`), 'Could not load the report');
  if (!res) return;
  const r = (await res.json()) as Report;
  const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
  const min = (x: number | null) => (x === null ? '–' : `${x} min`);
  const out = $('[data-report-output]');
  const list = (title: string, items: Report['mostFailedChecks'], unit: string) =>
    h('div', {}, h('h3', { text: title }), items.length ? h('ol', {}, ...items.map((i) => h('li', { text: `${stepLabel(`${i.lab}/${i.step}`)}: ${i.count} ${unit}` }))) : h('p', { text: 'None.' }));
  const comments = r.steps.flatMap((s) => s.comments.map((c) => ({ step: `${s.lab}/${s.step}`, ...c })));
  out.replaceChildren(
    h('p', { text: `${r.participants} participants, ${r.completed} completed.` }),
    table(
      'Per step',
      ['Step', 'Reached', 'Passed', 'Completion', 'Median', 'p90', 'Failed checks', 'Stuck reports'],
      r.steps.map((s) => h('tr', {}, h('th', { scope: 'row', text: stepLabel(`${s.lab}/${s.step}`) }), h('td', { text: String(s.reached) }), h('td', { text: String(s.passed) }), h('td', { text: pct(s.completion) }), h('td', { text: min(s.medianMinutes) }), h('td', { text: min(s.p90Minutes) }), h('td', { text: String(s.failedChecks) }), h('td', { text: String(s.stuckReports) }))),
    ),
    list('Most failed checks', r.mostFailedChecks, 'failed checks'),
    list('Most stuck reports', r.mostStuckReports, 'stuck reports'),
    h('h3', { text: 'What people wrote' }),
    comments.length
      ? h('ul', {}, ...comments.map((c) => h('li', {}, h('strong', { text: `${stepLabel(c.step)}: ` }), h('span', { class: 'onramp-ws-note', text: c.text ?? '(check output only)' }))))
      : h('p', { text: 'Nothing written.' }),
  );
}

$('[data-report]').addEventListener('click', () => void showReport());
for (const button of root.querySelectorAll<HTMLButtonElement>('[data-download]')) {
  button.addEventListener('click', async () => {
    const format = button.dataset.download!;
    const res = await act(() => instructorApi(`/api/workshops/${code}/report?format=${format}`), 'Could not download the report');
    if (res) {
      await download(res, `onramp-workshop-${code}.${format}`);
      announce(`Report downloaded as ${format.toUpperCase()}.`);
    }
  });
}
