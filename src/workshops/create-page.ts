/** /workshops/: sign in, create a workshop, show its code, join URL and QR code; list recent ones. */
import { h } from '../feedback/form.ts';
import { instructorApi, signInGate, Unauthorized } from './instructor.ts';
import { qrSvg } from './qr.ts';

const root = document.getElementById('onramp-workshops')!;
const form = root.querySelector<HTMLFormElement>('[data-create]')!;
const created = root.querySelector<HTMLElement>('[data-created]')!;
const list = root.querySelector<HTMLElement>('[data-list]')!;
const live = root.querySelector<HTMLElement>('[data-live]')!;
const error = root.querySelector<HTMLElement>('[data-create-error]')!;

interface Listed {
  code: string;
  title: string;
  lab: string | null;
  path: string | null;
  startsAt: string;
  endsAt: string;
  ended: boolean;
  boardUrl: string;
}

const signOut = signInGate(root.querySelector<HTMLFormElement>('[data-signin]')!, root.querySelector<HTMLElement>('[data-app]')!, () => void loadList());
root.querySelector('[data-signout]')!.addEventListener('click', () => signOut('Signed out.'));

// Start: the next quarter hour, in the instructor's local time.
const start = form.querySelector<HTMLInputElement>('#ws-start')!;
const next = new Date(Math.ceil(Date.now() / 900_000) * 900_000);
start.value = new Date(next.getTime() - next.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

async function loadList(): Promise<void> {
  try {
    const { workshops } = (await (await instructorApi('/api/workshops')).json()) as { workshops: Listed[] };
    if (!workshops.length) {
      list.replaceChildren(h('p', { text: 'None yet.' }));
      return;
    }
    list.replaceChildren(
      h(
        'ul',
        {},
        ...workshops.map((w) =>
          h('li', {}, h('a', { href: w.boardUrl, text: `${w.title} (${w.code})` }), ` — ${new Date(w.startsAt).toLocaleString()}${w.ended ? ', ended: board and report' : ''}`),
        ),
      ),
    );
  } catch (e) {
    if (e instanceof Unauthorized) signOut('That token was not accepted.');
    else live.textContent = `Could not list workshops: ${(e as Error).message}`;
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const data = new FormData(form);
  const lab = String(data.get('lab') ?? '');
  const path = String(data.get('path') ?? '');
  if (!lab && !path) {
    error.textContent = 'Choose a lab or a persona path.';
    return;
  }
  const startsAt = new Date(String(data.get('start')));
  const minutes = Number(data.get('minutes'));
  if (Number.isNaN(startsAt.getTime()) || !(minutes >= 5)) {
    error.textContent = 'Give a start time and a length of at least 5 minutes.';
    return;
  }
  const capacity = data.get('capacity') ? Number(data.get('capacity')) : undefined;
  try {
    const res = await instructorApi('/api/workshops', {
      method: 'POST',
      json: { title: String(data.get('title') ?? ''), ...(path && !lab ? { path } : { lab }), startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + minutes * 60_000).toISOString(), ...(capacity ? { capacity } : {}) },
    });
    const w = (await res.json()) as { code: string; joinUrl: string; boardUrl: string };
    const joinUrl = new URL(w.joinUrl, location.origin).href;
    created.querySelector('[data-code]')!.textContent = w.code;
    const link = created.querySelector<HTMLAnchorElement>('[data-join-url]')!;
    link.href = joinUrl;
    link.textContent = joinUrl;
    created.querySelector('[data-qr]')!.replaceChildren(qrSvg(joinUrl, `QR code for ${joinUrl}`));
    created.querySelector<HTMLAnchorElement>('[data-board-url]')!.href = w.boardUrl;
    created.hidden = false;
    created.querySelector<HTMLElement>('h2')!.focus();
    live.textContent = `Workshop created; the join code is ${w.code.split('').join(' ')}.`;
    void loadList();
  } catch (err) {
    if (err instanceof Unauthorized) signOut('That token was not accepted.');
    else error.textContent = (err as Error).message;
  }
});
